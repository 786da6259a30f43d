using System.Text.Json;
using Xunit.Abstractions;

namespace Search.Tests.Tokenizers;

/// <summary>
/// Locates the read-only <c>shared/</c> folder (models, tokenizers, data) by walking up from the
/// test binaries: it sits beside the repository checkout, not inside it.
/// </summary>
internal static class SharedAssets
{
    public static string? Root { get; } = Find();

    public static string Stories260KDir => Path.Combine(Root!, "models", "stories260K");

    public static string Llama2ModelPath => Path.Combine(Root!, "tokenizers", "llama2-32k", "tokenizer.model");

    public static string DataPath(string relative) => Path.Combine(Root!, "data", relative);

    /// <summary>
    /// xunit 2.9 has no dynamic skip, so a test without the assets returns early and says so in
    /// its output instead of failing on a machine that lacks <c>shared/</c>.
    /// </summary>
    public static bool Available(ITestOutputHelper output)
    {
        if (Root is null)
        {
            output.WriteLine($"SKIPPED: no shared/models found above {AppContext.BaseDirectory}; this test needs the shared assets.");
            return false;
        }

        return true;
    }

    public static JsonElement ReferenceOutputs()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Stories260KDir, "reference_outputs.json")));
        return doc.RootElement.Clone();
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models")))
            {
                return candidate;
            }
        }

        return null;
    }
}

namespace Search.Tests;

/// <summary>
/// Locates the <c>shared/</c> folder (real models and corpora) that sits beside the repository.
/// CI has it; a fresh clone elsewhere may not, and then the tests that need it are skipped visibly.
/// </summary>
public static class SharedAssets
{
    public static readonly string? Root = Find();

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("PRUNESEARCH_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "models"))) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models"))) return candidate;
            candidate = Path.Combine(dir.FullName, "..", "shared");
            if (Directory.Exists(Path.Combine(candidate, "models"))) return Path.GetFullPath(candidate);
        }
        return null;
    }

    public static string Require(params string[] parts) =>
        Path.Combine([Root ?? throw new InvalidOperationException("shared/ is absent"), .. parts]);

    public static string Stories260K => Require("models", "stories260K");

    /// <summary>Same as <see cref="Stories260K"/>; the name the tokenizer tests use.</summary>
    public static string Stories260KDir => Stories260K;

    public static string Llama2ModelPath => Require("tokenizers", "llama2-32k", "tokenizer.model");

    /// <summary>The corpora folder, laid out as <see cref="Search.Data.DatasetCatalog"/> expects.</summary>
    public static string DataDirectory => Require("data");

    /// <summary>A file under shared/data, e.g. <c>wikitext2-raw/test.txt</c>.</summary>
    public static string DataPath(string relative) => Path.Combine(DataDirectory, relative);

    /// <summary>stories260K's reference_outputs.json (prompt ids, greedy sample, perplexities, hashes).</summary>
    public static System.Text.Json.JsonElement ReferenceOutputs()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Stories260K, "reference_outputs.json")));
        return doc.RootElement.Clone();
    }

    public const string SkipReason = "SKIPPED: ../shared (real models and corpora) is not beside this checkout";
}

/// <summary>A fact that needs ../shared; reported as skipped (with the reason) where it is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedAssets.Root is null) Skip = SharedAssets.SkipReason;
    }
}

/// <summary>A theory that needs ../shared; skipped visibly where it is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedAssets.Root is null) Skip = SharedAssets.SkipReason;
    }
}

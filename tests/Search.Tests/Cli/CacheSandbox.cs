using Search.Training.Embedded;
using Search.Model;

namespace Search.Tests.Cli;

/// <summary>
/// A cache root of one test's own (<c>PRUNESEARCH_CACHE_DIR</c> for the child processes), holding a
/// copy of the built embedded model (1.8 MB) so nothing is retrained and the shared cache is never
/// touched; its stats/, tokens/ and hashes/ start empty.
/// </summary>
internal sealed class CacheSandbox
{
    public CacheSandbox(string root, bool copyEmbedded = true)
    {
        Root = root;
        Directory.CreateDirectory(root);
        if (copyEmbedded) CopyEmbeddedInto(root);
    }

    public string Root { get; }
    public string Stats => Path.Combine(Root, "stats");
    public string Tokens => Path.Combine(Root, "tokens");
    public string Hashes => Path.Combine(Root, "hashes");

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { [CacheFolders.EnvironmentVariable] = Root };

    public CliRun Run(string workDir, params string[] args) => CliRun.With(workDir, Environment, args);

    /// <summary>The embedded model's built folder (built once in the default cache when missing), copied under <paramref name="root"/>.</summary>
    public static void CopyEmbeddedInto(string root)
    {
        EmbeddedDefault.Ensure();
        string built = EmbeddedDefault.FolderFor(Path.GetFullPath(CacheFolders.Root()), TinyModelRecipe.Default);
        CopyTree(built, Path.Combine(root, Path.GetFileName(built)));
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    /// <summary>The cache files of one kind (no temp files).</summary>
    public static string[] Files(string folder, string pattern) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, pattern).OrderBy(f => f, StringComparer.Ordinal).ToArray() : [];
}

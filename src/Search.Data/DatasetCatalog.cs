using Search.Model;

namespace Search.Data;

/// <summary>
/// The named datasets and their split files under a data directory laid out like <c>shared/data</c>.
/// Split aliases: <c>validation</c> means <c>valid</c>. The C4 sample is a single file of unknown origin
/// split, so <c>c4</c> maps <c>sample</c>, <c>train</c> and <c>validation</c>/<c>valid</c> all to
/// <c>c4-sample/sample.jsonl</c> (calibrating and evaluating on C4 then use the same documents).
/// </summary>
public sealed class DatasetCatalog(string dataDirectory)
{
    private sealed record Entry(IReadOnlyDictionary<string, string> FileBySplit, TextPreparation Preparation);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["wikitext2"] = new(SplitFiles("wikitext2-raw", "test", "valid", "train"), TextPreparation.ByExtension),
        ["ptb"] = new(SplitFiles("ptb", "test", "valid", "train"), TextPreparation.ByExtension),
        ["c4"] = new(new Dictionary<string, string>
        {
            ["sample"] = "c4-sample/sample.jsonl",
            ["train"] = "c4-sample/sample.jsonl",
            ["valid"] = "c4-sample/sample.jsonl",
        }, TextPreparation.ByExtension),
        ["tinystories"] = new(SplitFiles("tinystories", "train", "valid"), TextPreparation.TinyStories),
    };

    public static IReadOnlyList<string> KnownNames { get; } = ["wikitext2", "ptb", "c4", "tinystories"];

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>A catalog over <see cref="Data.DataDirectory.Resolve(string?)"/>'s folder.</summary>
    public static DatasetCatalog Open(string? explicitDataDirectory = null) =>
        new(Data.DataDirectory.Resolve(explicitDataDirectory));

    /// <summary>Splits a dataset accepts (canonical names, aliases not listed).</summary>
    public static IReadOnlyList<string> SplitsOf(string name) =>
        Entries.TryGetValue(name, out var entry) ? [.. entry.FileBySplit.Keys] : throw UnknownDataset(name);

    /// <summary>
    /// Resolves a <c>--dataset</c> value: a file path (it has a path separator or a known extension) is read
    /// by its extension and <paramref name="split"/> is ignored; otherwise it must be a known name.
    /// </summary>
    public CorpusSource Resolve(string dataset, string split)
    {
        if (LooksLikePath(dataset))
        {
            CorpusText.RequireFile(dataset);
            return new CorpusSource(dataset, "file", Path.GetFullPath(dataset), TextPreparation.ByExtension);
        }
        if (!Entries.TryGetValue(dataset, out var entry)) throw UnknownDataset(dataset);

        var canonicalSplit = CanonicalSplit(split);
        if (!entry.FileBySplit.TryGetValue(canonicalSplit, out var relativePath))
            throw new UserInputException(
                $"dataset {dataset.ToLowerInvariant()} has no split '{split}' (known: {string.Join(", ", entry.FileBySplit.Keys)})");
        var path = Path.Combine(DataDirectory, relativePath);
        if (!File.Exists(path))
            throw new UserInputException($"dataset {dataset.ToLowerInvariant()} split {canonicalSplit}: file not found: {path}");
        return new CorpusSource(dataset.ToLowerInvariant(), canonicalSplit, path, entry.Preparation);
    }

    /// <summary>Shorthand for <c>Resolve(dataset, split).ReadText()</c>.</summary>
    public string ReadText(string dataset, string split) => Resolve(dataset, split).ReadText();

    public static bool LooksLikePath(string dataset) =>
        dataset.Contains(Path.DirectorySeparatorChar) || dataset.Contains(Path.AltDirectorySeparatorChar)
        || CorpusText.HasKnownExtension(dataset);

    private static string CanonicalSplit(string split) => split.ToLowerInvariant() switch
    {
        "validation" => "valid",
        var other => other,
    };

    private static Dictionary<string, string> SplitFiles(string folder, params string[] splits) =>
        splits.ToDictionary(split => split, split => $"{folder}/{split}.txt");

    private static UserInputException UnknownDataset(string name) =>
        new($"unknown dataset '{name}' (known: {string.Join(", ", KnownNames)}, or a path to a .txt/.jsonl/.parquet file)");
}

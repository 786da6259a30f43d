using Search.Data;
using Search.Model.Checkpoints;
using Search.Training.Embedded;
using Search.Training.Zoo;
using static TorchSharp.torch;

namespace Search.Training;

/// <summary>
/// Turns <c>--model</c> and <c>--dataset</c> values into files. A model is an HF folder, <c>embedded</c>
/// (the project's own tiny model, built into the cache on first use, no network, no ../shared) or
/// <c>zoo:NAME</c> (a zoo model, trained into the cache on first use from ../shared's corpora). The
/// <c>synthetic</c> dataset is the embedded model's corpus; other names go to the <see cref="DatasetCatalog"/>.
/// This lives with the trainer because resolving a name may mean training it; loading a folder is
/// <see cref="ModelLocator.LoadFolder"/>'s.
/// </summary>
public static class ModelSources
{
    public const string Embedded = "embedded";
    public const string ZooPrefix = "zoo:";
    public const string SyntheticDataset = "synthetic";

    /// <summary>True for the names this class builds (<c>embedded</c>, <c>zoo:NAME</c>), false for a folder path.</summary>
    public static bool IsBuiltName(string model) => model == Embedded || model.StartsWith(ZooPrefix, StringComparison.Ordinal);

    /// <summary>The model folder for a --model value, building the embedded or zoo model first when the cache lacks it.</summary>
    public static string ResolveDir(string model, TextWriter? log = null)
    {
        if (model == Embedded) return EmbeddedDefault.Ensure(log: Lines(log)).ModelDir;
        if (model.StartsWith(ZooPrefix, StringComparison.Ordinal))
            return ZooModels.Ensure(ZooCatalog.Find(model[ZooPrefix.Length..]), log: Lines(log)).Dir;
        return model;
    }

    /// <summary><see cref="ResolveDir"/>, then the folder's model, tokenizer and content hash.</summary>
    public static LoadedModel Load(string model, ScalarType dtype, Device device, TextWriter? log = null,
        WeightResidency residency = WeightResidency.Mapped) =>
        ModelLocator.LoadFolder(ResolveDir(model, log), dtype, device, residency);

    /// <summary>A dataset by name or path; <c>synthetic</c> is the embedded corpus (built with the embedded model).</summary>
    public static CorpusSource ResolveDataset(string dataset, string split, string? dataDir, TextWriter? log = null)
    {
        if (dataset != SyntheticDataset) return DatasetCatalog.Open(dataDir).Resolve(dataset, split);
        string canonical = split.ToLowerInvariant() == "validation" ? "valid" : split.ToLowerInvariant();
        string path = Path.Combine(EmbeddedDefault.Ensure(log: Lines(log)).DataDir, SyntheticLanguage.Folder, canonical + ".txt");
        if (!File.Exists(path))
            throw new Search.Model.UserInputException($"dataset synthetic has no split '{split}' (known: train, valid, test)");
        return new CorpusSource(SyntheticDataset, canonical, path, TextPreparation.ByExtension);
    }

    private static Action<string>? Lines(TextWriter? log) => log is null ? null : log.WriteLine;
}

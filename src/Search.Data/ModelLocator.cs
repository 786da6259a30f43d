using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using static TorchSharp.torch;

namespace Search.Data;

/// <summary>A loaded dense model with its tokenizer and the identity of its files.</summary>
public sealed record LoadedModel(string Dir, Transformer Model, ITextTokenizer Tokenizer, string Hash) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>Turns <c>--model</c> and <c>--dataset</c> values into files: real folders or the embedded default.</summary>
public static class ModelLocator
{
    public const string Embedded = "embedded";

    /// <summary>The model folder for a --model value (building the embedded default if needed).</summary>
    public static string ResolveDir(string model, TextWriter? log = null) =>
        model == Embedded ? EmbeddedAssets(log).ModelDir : model;

    public static LoadedModel Load(string model, ScalarType dtype, Device device, TextWriter? log = null,
        WeightResidency residency = WeightResidency.Mapped)
    {
        string dir = ResolveDir(model, log);
        var transformer = Checkpoint.Load(dir, dtype, device, residency);
        try
        {
            var tokenizer = TokenizerLoader.Load(dir);
            if (tokenizer.VocabSize > transformer.Config.VocabSize)
                throw new UserInputException(
                    $"{dir}: tokenizer has {tokenizer.VocabSize} ids but the model's vocab_size is {transformer.Config.VocabSize}");
            return new LoadedModel(dir, transformer, tokenizer, Checkpoint.ContentHash(dir));
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }

    /// <summary>A dataset by name or path; 'synthetic' is the embedded corpus.</summary>
    public static CorpusSource ResolveDataset(string dataset, string split, string? dataDir, TextWriter? log = null)
    {
        if (dataset == SyntheticDataset)
        {
            string canonical = split.ToLowerInvariant() == "validation" ? "valid" : split.ToLowerInvariant();
            string path = Path.Combine(EmbeddedAssets(log).DataDir, "synthetic", canonical + ".txt");
            if (!File.Exists(path))
                throw new UserInputException($"dataset synthetic has no split '{split}' (known: train, valid, test)");
            return new CorpusSource(SyntheticDataset, canonical, path, TextPreparation.ByExtension);
        }
        return DatasetCatalog.Open(dataDir).Resolve(dataset, split);
    }

    public const string SyntheticDataset = "synthetic";

    private static Search.Data.Embedded.EmbeddedAssets EmbeddedAssets(TextWriter? log) =>
        Search.Data.Embedded.EmbeddedDefault.Ensure(log: log is null ? null : msg => log.WriteLine(msg));
}

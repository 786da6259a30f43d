using Search.Model;
using Search.Model.Tokenizers;
using Search.Data;
using Search.Training;

namespace Search.Objective;

/// <summary>
/// The objective's two disjoint evaluation sets. Search on validation, report on test: a corpus
/// with a test split uses valid → search and test → test. A corpus with one usable split
/// (TinyStories: only valid) is cut deterministically into halves by window: the first half
/// ("valid[search]") tunes, the second half ("valid[test]") reports. Windows never overlap.
/// </summary>
public static class EvalSplits
{
    public static (EvalSet Search, EvalSet Test) Resolve(string dataset, int seqLen, BosMode bos,
        ITextTokenizer tokenizer, TokenCache cache, string? dataDir)
    {
        string bosName = BosModes.Name(bos);
        EvalSet Load(CorpusSource source)
        {
            var w = CorpusTokens.EvalWindowsOf(source, tokenizer, cache, bos, seqLen);
            return new EvalSet(source.Dataset, source.Split, w.Ids, w.Count, w.SeqLen, bosName);
        }
        var valid = Load(ModelSources.ResolveDataset(dataset, "valid", dataDir));
        if (HasTestSplit(dataset))
            return (valid, Load(ModelSources.ResolveDataset(dataset, "test", dataDir)));
        if (valid.Count < 2)
            throw new UserInputException($"dataset {dataset} has {valid.Count} windows of {seqLen}: too few to split into search and test parts");
        int half = valid.Count / 2;
        return (valid.Range(0, half, "valid[search]"), valid.Range(half, valid.Count - half, "valid[test]"));
    }

    private static bool HasTestSplit(string dataset) =>
        dataset == ModelSources.SyntheticDataset
        || (!DatasetCatalog.LooksLikePath(dataset) && DatasetCatalog.SplitsOf(dataset).Contains("test"));

    /// <summary>
    /// Calibration text for a source: its train split where the catalog has one, else its
    /// validation split (shared/ has no WikiText-2/PTB train files). Never the split that is scored
    /// when the source is also the evaluation corpus... unless it has no other: documented.
    /// </summary>
    public static CorpusSource CalibrationSource(string source, string? dataDir)
    {
        if (source == ModelSources.SyntheticDataset || DatasetCatalog.LooksLikePath(source))
            return ModelSources.ResolveDataset(source, "train", dataDir);
        var splits = DatasetCatalog.SplitsOf(source);
        if (splits.Contains("train"))
        {
            try { return ModelSources.ResolveDataset(source, "train", dataDir); }
            catch (UserInputException) when (splits.Contains("valid")) { }
        }
        return ModelSources.ResolveDataset(source, splits.Contains("valid") ? "valid" : splits[0], dataDir);
    }
}

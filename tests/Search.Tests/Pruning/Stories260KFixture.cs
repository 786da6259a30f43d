using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Data;

namespace Search.Tests.Pruning;

/// <summary>
/// stories260K with real TinyStories text, tokenized by its own SentencePiece model. Calibration is
/// FLAP's protocol on train.txt (one BOS at the stream start, 64 windows × 128 at CPython
/// <c>random.seed(0)</c> offsets); evaluation is the first 64 non-overlapping windows × 128 of
/// valid.txt with one BOS at the corpus start (the tinystories preset). Built once per test run.
/// </summary>
internal static class Stories260KFixture
{
    public const int SeqLen = 128;
    public const int CalibrationWindows = 64;
    public const int EvalWindows = 64;

    private static readonly Lazy<(Transformer Model, long[] Calibration, long[] Eval)> Loaded = new(() =>
    {
        var tokenizer = TokenizerLoader.Load(SharedAssets.Stories260K);
        var catalog = new DatasetCatalog(SharedAssets.Require("data"));
        var pool = new PoolSpec("tinystories", "train", SeqLen, CalibrationWindows, Seed: 0);
        var calibration = CorpusTokens.CalibrationWindowsOf(catalog.Resolve("tinystories", "train"), tokenizer, TokenCache.OpenDefault(), pool);
        var eval = CorpusTokens.EvalWindowsOf(catalog.Resolve("tinystories", "valid"), tokenizer, TokenCache.OpenDefault(),
            BosMode.Corpus, SeqLen, EvalWindows);
        if (eval.Count != EvalWindows) throw new InvalidOperationException($"tinystories valid gave {eval.Count} windows, expected {EvalWindows}");
        return (Checkpoint.Load(SharedAssets.Stories260K), calibration.Ids, eval.Ids);
    });

    /// <summary>Shared by every test: never dispose it.</summary>
    public static Transformer Model => Loaded.Value.Model;
    public static long[] Calibration => Loaded.Value.Calibration;
    public static long[] Eval => Loaded.Value.Eval;
}

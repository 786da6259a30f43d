using Search.Model;
using Search.Model.Checkpoints;
using Search.Training.Embedded;
using Search.Tests.Pruning;

namespace Search.Tests.Export;

/// <summary>
/// The project's embedded default model (4 layers, 8 heads over 4 KV groups, SentencePiece BPE
/// tokenizer.model), built once into the cache when absent: export tests that need no ../shared.
/// </summary>
internal static class EmbeddedModel
{
    private static readonly Lazy<(string Dir, Transformer Model)> Loaded = new(() =>
    {
        var assets = EmbeddedDefault.Ensure();
        return (assets.ModelDir, Checkpoint.Load(assets.ModelDir));
    });

    public static string Dir => Loaded.Value.Dir;

    /// <summary>Shared by every test: never dispose it.</summary>
    public static Transformer Model => Loaded.Value.Model;

    /// <summary>Random calibration windows [count, seqLen] over the model's vocabulary.</summary>
    public static long[] Windows(int count, int seqLen, int seed) =>
        RandomModels.RandomWindows(Model.Config.VocabSize, count, seqLen, seed);
}

using Search.Model.Tokenizers;

namespace Search.Tests.Export;

/// <summary>
/// The fixed text of the llama.cpp parity checks: the first 40,000 characters of WikiText-2 test,
/// tokenized by the model's own tokenizer with one BOS in front, cut into windows (remainder dropped).
/// Token ids, not text, go to both runtimes, so llama.cpp's tokenizer never enters the comparison.
/// </summary>
internal static class ParityCorpus
{
    public static long[] WikiTextWindows(string modelDir, int seqLen, int maxWindows, out int count)
    {
        var tokenizer = TokenizerLoader.Load(modelDir);
        string text = File.ReadAllText(SharedAssets.DataPath("wikitext2-raw/test.txt"))[..40_000];
        var ids = new List<long> { tokenizer.BosId };
        ids.AddRange(tokenizer.Encode(text).Select(i => (long)i));
        count = Math.Min(maxWindows, ids.Count / seqLen);
        return ids.Take(count * seqLen).ToArray();
    }
}

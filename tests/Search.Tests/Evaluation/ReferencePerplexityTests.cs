using System.Text.Json.Nodes;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using Search.Data;
using Search.Data.Evaluation;

namespace Search.Tests.Evaluation;

/// <summary>
/// Every dense perplexity in stories260K's reference_outputs.json, reproduced with its stated
/// protocol ([BOS]+encode(text), non-overlapping windows, remainder dropped) to relative error 1e-4.
/// </summary>
public sealed class ReferencePerplexityTests
{
    private static readonly Lazy<(Search.Model.Transformer Model, ITextTokenizer Tokenizer)> Stories = new(() =>
        (Checkpoint.Load(SharedAssets.Stories260K), TokenizerLoader.Load(SharedAssets.Stories260K)));

    private static JsonObject Perplexities() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(SharedAssets.Stories260K, "reference_outputs.json")))!["perplexity"]!;

    /// <summary>The reference keys are paths under shared/data; the catalog names them.</summary>
    private static (string Dataset, string Split) Named(string key) => key switch
    {
        "c4-sample/sample.jsonl" => ("c4", "sample"),
        _ when key.StartsWith("wikitext2-raw/", StringComparison.Ordinal) => ("wikitext2", Path.GetFileNameWithoutExtension(key)),
        _ => (key.Split('/')[0], Path.GetFileNameWithoutExtension(key)),
    };

    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>();
        if (SharedAssets.Root is null) { data.Add("(shared absent)"); return data; }
        foreach (var (key, _) in Perplexities()) data.Add(key);
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Keys))]
    public void Stream_perplexity_matches_the_reference(string key)
    {
        var expected = Perplexities()[key]!;
        var protocol = expected["protocol"]!.GetValue<string>();
        int seqLen = int.Parse(protocol.Split(" windows of ")[1].Split(';')[0]);
        var (model, tokenizer) = Stories.Value;
        var (dataset, split) = Named(key);
        var source = new DatasetCatalog(SharedAssets.Require("data")).Resolve(dataset, split);
        var windows = CorpusTokens.EvalWindowsOf(source, tokenizer, cache: null, BosMode.Corpus, seqLen);
        Assert.Equal(expected["scored_tokens"]!.GetValue<long>(), windows.ScoredTokens);
        var result = PerplexityEvaluator.Evaluate(model, windows.Ids, windows.Count, windows.SeqLen, dataset, split, "corpus", "");
        double want = expected["ppl"]!.GetValue<double>();
        Assert.True(Math.Abs(result.Perplexity - want) / want < 1e-4, $"{key}: ppl {result.Perplexity} vs reference {want}");
    }

    [SharedFact]
    public void Per_story_perplexity_of_tinystories_valid_matches_the_reference()
    {
        var expected = Perplexities()["tinystories/valid.txt"]!["per_story"]!;
        var (model, tokenizer) = Stories.Value;
        var text = File.ReadAllText(SharedAssets.Require("data", "tinystories", "valid.txt"));
        var stories = text.Split(TinyStoriesText.EndOfTextMarker).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        Assert.Equal(expected["stories"]!.GetValue<int>(), stories.Count);
        var sequences = stories.Select(s => (long[])[tokenizer.BosId, .. tokenizer.Encode(s).Select(i => (long)i)]).ToList();
        var (sum, scored) = PerplexityEvaluator.NllSumOfSequences(model, sequences);
        Assert.Equal(expected["scored_tokens"]!.GetValue<long>(), scored);
        double ppl = Math.Exp(sum / scored), want = expected["ppl"]!.GetValue<double>();
        Assert.True(Math.Abs(ppl - want) / want < 1e-4, $"per-story ppl {ppl} vs reference {want}");
    }
}

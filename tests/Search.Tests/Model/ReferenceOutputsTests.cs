using System.Text.Json.Nodes;
using Search.Model.Checkpoints;
using static TorchSharp.torch;

namespace Search.Tests.Model;

/// <summary>Parity with an independent fp32 reference forward (shared/models/*/reference_outputs.json).</summary>
public sealed class ReferenceOutputsTests
{
    private static JsonObject Reference() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(SharedAssets.Stories260K, "reference_outputs.json")))!;

    private static long[] Ids(JsonNode node) => node.AsArray().Select(x => x!.GetValue<long>()).ToArray();

    [SharedFact]
    public void Given_the_reference_prompt_When_running_forward_Then_last_logits_match_within_1e_4()
    {
        var refj = Reference();
        var ids = Ids(refj["prompt"]!["token_ids_with_bos"]!);
        var expected = refj["prompt"]!["last_position_logits"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray();
        using var noGrad = no_grad();
        using var model = Checkpoint.Load(SharedAssets.Stories260K);
        using var input = tensor(ids, [1, ids.Length]);
        using var logits = model.Forward(input);
        using var last = logits[0, ids.Length - 1];
        using var exp = tensor(expected);
        double maxDiff = (last - exp).abs().max().item<float>();
        Assert.True(maxDiff < 1e-4, $"max |Δlogit| = {maxDiff}");

        var argmax = logits[0].argmax(-1).data<long>().ToArray();
        Assert.Equal(Ids(refj["prompt"]!["argmax_each_position"]!), argmax);

        // Mean NLL of the prompt's tokens 1..n-1.
        using var logp = nn.functional.log_softmax(logits[0].narrow(0, 0, ids.Length - 1).to_type(ScalarType.Float64), -1);
        double nll = 0;
        for (int i = 1; i < ids.Length; i++) nll -= logp[i - 1, ids[i]].item<double>();
        nll /= ids.Length - 1;
        Assert.Equal(refj["prompt"]!["mean_nll_of_prompt_tokens"]!.GetValue<double>(), nll, 1e-5);
    }

    [SharedFact]
    public void Given_BOS_When_decoding_greedily_for_200_tokens_Then_ids_equal_the_reference()
    {
        var expected = Ids(Reference()["greedy_from_bos_200"]!["token_ids"]!);
        using var noGrad = no_grad();
        using var model = Checkpoint.Load(SharedAssets.Stories260K);
        var seq = new List<long> { model.Config.BosTokenId ?? 1 };
        for (int step = 0; step < expected.Length; step++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(tensor(seq.ToArray(), [1, seq.Count]));
            seq.Add(logits[0, seq.Count - 1].argmax().item<long>());
        }
        Assert.Equal(expected, seq.Skip(1).ToArray());
    }
}

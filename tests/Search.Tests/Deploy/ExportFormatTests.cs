using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Search.Model.Checkpoints;
using Search.Optimization.Trials;
using Search.Records;
using Search.Runtime.LlamaCpp;
using Search.Tests.Cli;

namespace Search.Tests.Deploy;

/// <summary>
/// <c>export --format</c> from a finished study: each written model is what a runtime loads, and
/// where a loader exists it scores the trial's stored proxy ppl (llama.cpp within 1e-3 for f32).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class ExportFormatTests(TimedStudy study)
{
    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private CliRun Export(params string[] extra) =>
        CliRun.Of(["export", "--db", study.Db, "--study", TimedStudy.Study, "--threads", "2", .. extra]);

    private FrozenTrial Best()
    {
        var finals = study.Trials().Where(t => t.UserAttr(UserAttrKeys.Baseline) is null && t.UserAttr(TrialAttrs.Final) is not null);
        return finals.MinBy(t => AttrJson.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final))!.SearchPpl)!;
    }

    [Theory]
    [InlineData("f32", 1e-3)]
    [InlineData("f16", 1e-2)]
    public void Given_the_best_trial_When_exported_as_gguf_Then_llama_cpp_scores_the_stored_proxy_ppl(string dtype, double bar)
    {
        string path = Path.Combine(study.Dir, $"best-{dtype}.gguf");
        var run = Export("--format", "gguf", "--dtype", dtype, "--out", path);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var m = Regex.Match(run.Output, @"stored proxy ppl (\S+) .*; llama\.cpp (\S+) on the same (\d+)x(\d+) windows.*: agrees");
        Assert.True(m.Success, run.Output);
        double stored = D(m.Groups[1].Value), llama = D(m.Groups[2].Value);
        var best = Best();
        Assert.Equal(best.Scores.First(s => s.Name == "ppl").Value, stored);
        Assert.True(Math.Abs(llama - stored) / stored < bar, $"llama.cpp {llama} vs stored {stored}");
        Assert.Equal(4, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        using var gguf = LlamaCppModel.Load(path, 16, 2);
        Assert.Equal(dtype, gguf.WeightType);
    }

    [Fact]
    public void Given_a_folder_as_gguf_out_When_exported_Then_the_file_is_named_for_its_weight_type()
    {
        string dir = Path.Combine(study.Dir, "gguf-folder");
        var run = Export("--format", "gguf", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.True(File.Exists(Path.Combine(dir, "model-f32.gguf")));
    }

    [Fact]
    public void Given_the_best_trial_When_exported_hf_padded_Then_it_is_a_stock_dense_folder_that_reloads_to_the_stored_ppl()
    {
        string dir = Path.Combine(study.Dir, "padded");
        var run = Export("--format", "hf-padded", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Matches(@"padded folder reloaded \S+ \(\d+ tokens\), relative difference \S+ \(bar 1E-5\): agrees", run.Output);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        Assert.False(config.ContainsKey("prunesearch_layers"));
        Assert.True(config.ContainsKey("attention_bias") && config.ContainsKey("mlp_bias"));
        using var reloaded = Checkpoint.Load(dir);
        Assert.True(reloaded.Config.IsDense);
    }

    [Fact]
    public void Given_the_best_trial_When_exported_decilm_Then_block_configs_carry_the_stored_per_layer_widths()
    {
        string dir = Path.Combine(study.Dir, "decilm");
        var plan = AttrJson.Deserialize<PlanSummary>(Best().UserAttr(TrialAttrs.Plan))!;
        // vLLM's DeciLM gives every attention layer all query heads: a trial that removed heads
        // (whole KV groups or query heads inside them) is refused without --pad-heads, exported with it.
        bool removedHeads = plan.Layers.Select((l, i) => l.Heads > 0 && l.Heads != plan.DenseLayers![i].Heads).Any(x => x);
        if (removedHeads)
        {
            var refused = Export("--format", "decilm", "--out", Path.Combine(study.Dir, "decilm-unpadded"));
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("pad-heads", refused.Error);
        }
        var run = removedHeads ? Export("--format", "decilm", "--pad-heads", "--out", dir) : Export("--format", "decilm", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("not checked: PruneSearch has no DeciLM loader", run.Output);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        Assert.Equal("DeciLMForCausalLM", config["architectures"]![0]!.GetValue<string>());
        var blocks = config["block_configs"]!.AsArray();
        Assert.Equal(plan.Layers.Count, blocks.Count);
        int heads = config["num_attention_heads"]!.GetValue<int>();
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var ffn = blocks[l]!["ffn"]!;
            Assert.Equal(plan.Layers[l].Channels == 0, ffn["no_op"]!.GetValue<bool>());
            if (plan.Layers[l].Channels > 0) Assert.Equal(plan.Layers[l].Channels, ffn["intermediate_size"]!.GetValue<int>());
            var layer = plan.Layers[l];
            if (layer.KvHeads == 0) continue;
            int group = blocks[l]!["attention"]!["n_heads_in_group"]!.GetValue<int>();
            if (!removedHeads) Assert.Equal(heads / layer.KvHeads, group);
            // Padded: the written KV heads (heads / group) hold at least the kept groups, each wide enough for its kept query heads.
            Assert.Equal(0, heads % group);
            Assert.True(heads / group >= layer.KvHeads && group >= layer.Heads / layer.KvHeads, $"layer {l}: n_heads_in_group {group} for {layer.Heads}/{layer.KvHeads}");
        }
    }

    [Fact]
    public void Given_llama_cpp_that_does_not_load_When_exporting_gguf_Then_the_file_is_written_with_one_warning_line()
    {
        string path = Path.Combine(study.Dir, "unchecked.gguf");
        var run = CliRun.With(null, new Dictionary<string, string> { [LlamaCppRuntime.LibraryVariable] = "/nonexistent/libllama.so" },
            "export", "--db", study.Db, "--study", TimedStudy.Study, "--format", "gguf", "--out", path);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(new FileInfo(path).Length > 0);
        var warning = Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("warning: llama.cpp did not load", warning);
        Assert.DoesNotContain("stored proxy ppl", run.Output);
    }

    [Theory]
    [InlineData("error: --format: unknown format 'onnx' (expected hf, gguf, hf-padded or decilm)", "--format", "onnx")]
    [InlineData("error: --dtype sets the GGUF weight type and needs --format gguf (got --format hf)", "--format", "hf", "--dtype", "f16")]
    [InlineData("error: --dtype: unknown GGUF weight type 'q4' (expected f32 or f16)", "--format", "gguf", "--dtype", "q4")]
    [InlineData("error: --pad-heads applies to --format decilm only (got --format gguf)", "--format", "gguf", "--pad-heads")]
    public void Given_a_bad_export_option_When_exporting_Then_one_line_and_exit_2(string expected, params string[] args)
    {
        string outDir = Path.Combine(study.Dir, "never");
        var run = Export([.. args, "--out", outDir]);
        Assert.Equal(CliRun.UserError, run.ExitCode);
        Assert.Equal(expected, run.Error.Trim());
        Assert.False(Directory.Exists(outDir));
    }
}

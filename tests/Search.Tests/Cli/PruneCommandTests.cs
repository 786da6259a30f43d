using System.Text.Json;
using Search.Model.Checkpoints;
using Search.Training.Embedded;
using Search.Pruning.Statistics;
using Search.Tests.Data;

namespace Search.Tests.Cli;

/// <summary>
/// <c>prunesearch prune</c> on the embedded model, in-process. Small pools and evaluation sets keep
/// every run under a second once the model is built.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class PruneCommandTests
{
    private const string Calib = "synthetic:train:32x64:seed0";
    private const string Eval = "synthetic:valid:64:16";

    /// <summary>Builds (or finds) the cached embedded model once, so no single test pays for it unnoticed.</summary>
    private static readonly Lazy<string> EmbeddedModelDir = new(() => EmbeddedDefault.Ensure().ModelDir);

    /// <summary>A prune command line with the small defaults; a flag in <paramref name="extra"/> replaces its default.</summary>
    private static string[] Prune(params string[] extra)
    {
        var args = new List<string> { "prune", "--model", EmbeddedModelDir.Value, "--threads", "2" };
        if (!extra.Contains("--calib")) args.AddRange(["--calib", Calib]);
        if (!extra.Contains("--eval")) args.AddRange(["--eval", Eval]);
        return [.. args, .. extra];
    }

    [Fact]
    public void Given_the_embedded_model_When_pruned_with_out_Then_eval_of_the_export_gives_exactly_the_pruned_ppl()
    {
        using var temp = new TempFolder();
        string outDir = Path.Combine(temp.Path, "pruned");
        var prune = CliRun.Of(Prune("--ratio", "0.3", "--out", outDir, "--json", "--stats-cache", Path.Combine(temp.Path, "stats")))
            .Json();
        double pruned = prune.GetProperty("pruned_ppl").GetDouble();
        double dense = prune.GetProperty("dense_ppl").GetDouble();
        Assert.True(dense < pruned, $"dense {dense} vs pruned {pruned}");
        Assert.InRange(prune.GetProperty("achieved_ratio").GetDouble(), 0.25, 0.35);
        Assert.Equal(prune.GetProperty("params_total").GetInt64() - prune.GetProperty("params_removed").GetInt64(),
            prune.GetProperty("params_after").GetInt64() - BiasParams(prune));

        var eval = CliRun.Of("eval", "--model", outDir, "--dataset", "synthetic", "--split", "valid", "--seqlen", "64",
            "--max-windows", "16", "--json", "--threads", "2").Json();
        Assert.Equal(pruned, eval.GetProperty("ppl").GetDouble());
    }

    [Fact]
    public void Given_an_exported_pruned_model_Then_its_config_per_layer_widths_match_the_tensor_shapes()
    {
        using var temp = new TempFolder();
        string outDir = Path.Combine(temp.Path, "pruned");
        var report = CliRun.Of(Prune("--ratio", "0.5", "--out", outDir, "--json", "--stats-cache", Path.Combine(temp.Path, "stats")))
            .Json();
        var config = ModelConfigJson.Read(Path.Combine(outDir, "config.json"));
        using var file = SafetensorsFile.Open(Path.Combine(outDir, Checkpoint.SingleFile));
        var rows = report.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(config.NumLayers, rows.Count);
        Assert.False(config.IsDense);
        for (int l = 0; l < config.NumLayers; l++)
        {
            var w = config.Layers[l];
            long[] Shape(string name) => file.Entries[$"model.layers.{l}.{name}"].Shape;
            Assert.Equal(rows[l].GetProperty("heads_after").GetInt32(), w.NumHeads);
            Assert.Equal(rows[l].GetProperty("channels_after").GetInt32(), w.IntermediateSize);
            Assert.Equal([(long)w.NumHeads * config.HeadDim, config.HiddenSize], Shape("self_attn.q_proj.weight"));
            Assert.Equal([(long)w.NumKvHeads * config.HeadDim, config.HiddenSize], Shape("self_attn.k_proj.weight"));
            Assert.Equal([config.HiddenSize, (long)w.NumHeads * config.HeadDim], Shape("self_attn.o_proj.weight"));
            Assert.Equal([(long)w.IntermediateSize, config.HiddenSize], Shape("mlp.up_proj.weight"));
            Assert.Equal([config.HiddenSize, (long)w.IntermediateSize], Shape("mlp.down_proj.weight"));
            Assert.Equal(w.OProjBias, file.Entries.ContainsKey($"model.layers.{l}.self_attn.o_proj.bias"));
            Assert.Equal(w.DownProjBias, file.Entries.ContainsKey($"model.layers.{l}.mlp.down_proj.bias"));
        }
    }

    [Fact]
    public void Given_a_calibration_pool_When_pruning_twice_Then_the_second_run_reuses_the_cached_sums_and_a_damaged_entry_is_rebuilt()
    {
        using var temp = new TempFolder();
        string stats = Path.Combine(temp.Path, "stats");
        string[] args = Prune("--json", "--stats-cache", stats);

        // stats_from_cache reports whether the run made the dense calibration pass (false) or read the cache (true).
        var first = CliRun.Of(args).Json();
        Assert.False(first.GetProperty("stats_from_cache").GetBoolean());

        var second = CliRun.Of(args).Json();
        Assert.True(second.GetProperty("stats_from_cache").GetBoolean());
        Assert.Equal(first.GetProperty("pruned_ppl").GetDouble(), second.GetProperty("pruned_ppl").GetDouble());

        var entry = Assert.Single(Directory.GetFiles(stats));
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..100]);
        var third = CliRun.Of(args).Json();
        Assert.False(third.GetProperty("stats_from_cache").GetBoolean());
        Assert.Equal(first.GetProperty("pruned_ppl").GetDouble(), third.GetProperty("pruned_ppl").GetDouble());
    }

    [Theory]
    [InlineData("ratio", "--ratio", "1")]
    [InlineData("ratio", "--ratio", "-0.1")]
    [InlineData("unknown importance metric", "--metric", "fluctuation")]
    [InlineData("sum to a positive", "--mix", "wifv=0,wifn=0")]
    [InlineData("NAME=WEIGHT", "--mix", "wifv:1")]
    [InlineData("calibration pool", "--calib", "synthetic:train:32by64:seed0")]
    [InlineData("calibration pool", "--calib", "synthetic:train:32x64")]
    [InlineData("evaluation set", "--eval", "synthetic:valid")]
    [InlineData("unknown pruning structure", "--structure", "random")]
    [InlineData("bias or none", "--compensation", "ridge")]
    [InlineData("--ratio", "--ratio", "abc")]
    [InlineData("--width-multiple must be at least 1, got 0", "--width-multiple", "0")]
    [InlineData("--width-multiple 256 exceeds layer 0's MLP width 176", "--width-multiple", "256")]
    [InlineData("--quant quantizes a GGUF and needs --format gguf", "--quant", "q8_0")]
    public void Given_a_bad_flag_When_pruning_Then_exit_code_2_and_one_line_naming_the_problem(string expected, string flag, string value)
    {
        var run = CliRun.Of(Prune(flag, value));
        AssertUserError(run, expected);
    }

    [Fact]
    public void Given_layer_ratios_of_the_wrong_length_When_pruning_Then_exit_code_2_and_one_line()
    {
        using var temp = new TempFolder();
        string file = Path.Combine(temp.Path, "ratios.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new { attention = new[] { 0.1, 0.2 }, mlp = new[] { 0.1, 0.2 } }));
        AssertUserError(CliRun.Of(Prune("--structure", "per-layer", "--layer-ratios", file)), "the model has 4 layers");
    }

    [Fact]
    public void Given_per_layer_ratios_When_pruning_Then_each_layer_loses_its_share()
    {
        using var temp = new TempFolder();
        string file = Path.Combine(temp.Path, "ratios.json");
        File.WriteAllText(file, """{"attention":[0.5,0,0.25,0],"mlp":[0.5,0.25,0,0]}""");
        var report = CliRun.Of(Prune("--structure", "per-layer", "--layer-ratios", file, "--json",
            "--stats-cache", Path.Combine(temp.Path, "stats"))).Json();
        var layers = report.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal([2, 4, 3, 4], layers.Select(l => l.GetProperty("kv_heads_after").GetInt32()));
        Assert.Equal([88, 132, 176, 176], layers.Select(l => l.GetProperty("channels_after").GetInt32()));
    }

    [Fact]
    public void Given_a_data_dir_without_the_calibration_source_When_pruning_Then_exit_code_2_and_one_line()
    {
        using var temp = new TempFolder();
        var run = CliRun.Of("prune", "--model", EmbeddedModelDir.Value, "--calib", "tinystories:train:8x64:seed0",
            "--eval", Eval, "--data-dir", temp.Path);
        AssertUserError(run, "tinystories");
    }

    private static void AssertUserError(CliRun run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        var lines = run.Error.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got: {run.Error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    /// <summary>Compensation biases exist only in the pruned model: one [d] vector per o/down bias.</summary>
    private static long BiasParams(JsonElement report)
    {
        var rows = report.GetProperty("layers").EnumerateArray().ToList();
        int hidden = 64; // the embedded recipe's hidden size
        return rows.Sum(r => (r.GetProperty("o_proj_bias").GetBoolean() ? hidden : 0) + (r.GetProperty("down_proj_bias").GetBoolean() ? hidden : 0));
    }
}

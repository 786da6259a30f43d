using System.Text.Json;
using System.Text.Json.Nodes;
using LiteDB;

namespace Search.Tests.Cli;

/// <summary>What must hold for the store file a case ran against.</summary>
internal enum StoreAfter
{
    /// <summary>The case has no store.</summary>
    None,
    /// <summary>Byte-identical to the copy before the run.</summary>
    Identical,
    /// <summary>
    /// Identical except LiteDB's own invalid-state flag (header byte 191), which LiteDB sets on a file
    /// it finds damaged. Opening stores read-only (issue 14 item 4) belongs to the storage layer's
    /// owner; once it lands, these rows can require <see cref="Identical"/>.
    /// </summary>
    IdenticalButLiteDbDamageFlag,
}

/// <summary>
/// One row of the bad-input table: how the case damages its throwaway copies and which command it
/// runs (<see cref="Arrange"/>), the exit code, the first words of the one stderr line, and text the
/// line must name somewhere (<see cref="Names"/>; <c>{dir}</c> stands for the case's folder).
/// </summary>
internal sealed record BadInputCase(
    string Name,
    Func<BadInputWorkspace, string[]> Arrange,
    int Exit,
    string Message,
    StoreAfter Store = StoreAfter.None,
    Action<CliRun>? Also = null,
    string? Names = null)
{
    public override string ToString() => Name;
}

/// <summary>The table: every input issue 14 lists, and every numeric option of every command.</summary>
internal static class BadInputCases
{
    private const int UserError = 2;
    // A damaged store is reported by the command (StoreReads) or, where the storage layer catches it
    // first, by the store itself, in its own words: the contract is one line that names the file.
    private const string StoreDamaged = "error: ";
    private const string StoreFile = "{dir}/study.db";

    public static readonly IReadOnlyList<BadInputCase> All =
    [
        // config.json fields of the wrong JSON type (they threw InvalidOperationException, exit 1, or were silently defaulted)
        Config("config-model-type-number", c => c["model_type"] = 5, "field 'model_type' must be a string, got the number 5"),
        Config("config-eps-string", c => c["rms_norm_eps"] = "abc", "field 'rms_norm_eps' must be a number, got the string \"abc\""),
        Config("config-eps-negative", c => c["rms_norm_eps"] = -1e-5, "field 'rms_norm_eps' must be positive"),
        Config("config-vocab-string", c => c["vocab_size"] = "x", "field 'vocab_size' must be an integer, got the string \"x\""),
        Config("config-hidden-fraction", c => c["hidden_size"] = 64.5, "field 'hidden_size' must be an integer, got the number 64.5"),
        Config("config-tie-string", c => c["tie_word_embeddings"] = "false", "field 'tie_word_embeddings' must be true or false, got the string \"false\""),
        Config("config-bias-string", c => c["attention_bias"] = "no", "field 'attention_bias' must be true or false"),
        Config("config-max-positions-string", c => c["max_position_embeddings"] = "2048", "field 'max_position_embeddings' must be an integer"),
        Config("config-rope-theta-array", c => c["rope_theta"] = new JsonArray(1), "field 'rope_theta' must be a single value, got an array"),
        Config("config-rope-theta-zero", c => c["rope_theta"] = 0, "field 'rope_theta' must be positive"),
        Config("config-hidden-act-number", c => c["hidden_act"] = 3, "field 'hidden_act' must be a string"),
        Config("config-bos-string", c => c["bos_token_id"] = "1", "field 'bos_token_id' must be an integer"),
        Config("config-dtype-number", c => c["torch_dtype"] = 4, "field 'torch_dtype' must be a string"),
        Config("config-per-layer-heads-string",
            c => c["prunesearch_layers"] = new JsonArray(Enumerable.Range(0, 4).Select(_ => (JsonNode)new JsonObject { ["num_attention_heads"] = "8" }).ToArray()),
            "field 'prunesearch_layers[0].num_attention_heads' must be an integer"),
        new("config-not-json", w => { w.Model(); w.Text("m/config.json", "{ \"model_type\": "); return ["eval", "--model", w.Path("m")]; },
            UserError, "error: {dir}/m/config.json: config.json is not valid JSON"),

        // safetensors weights relabelled with an integer dtype (accepted, exit 0)
        new("weights-int32-eval", w => { w.Model(); SafetensorsEdit.SetDtype(w.Weights, DownProj, "I32"); return ["eval", "--model", w.Path("m"), "--max-windows", "2"]; },
            UserError, "error: {dir}/m/model.safetensors: tensor 'model.layers.0.mlp.down_proj.weight' is stored as I32; model weights must be F32"),
        new("weights-int32-prune-resident", w => { w.Model(); SafetensorsEdit.SetDtype(w.Weights, DownProj, "I32"); return ["prune", "--model", w.Path("m"), "--weights", "resident"]; },
            UserError, "error: {dir}/m/model.safetensors: tensor 'model.layers.0.mlp.down_proj.weight' is stored as I32"),

        // a model that scores NaN/inf (JSON threw ArgumentException; the table printed NaN and exited 0)
        new("eval-json-nan", w => NanModel(w, float.NaN, "eval", "--max-windows", "2", "--json"),
            UserError, "error: {dir}/m: perplexity is not finite (NaN", Also: r => AssertNullWithReason(r, "ppl")),
        new("eval-table-overflow", w => NanModel(w, 1e38f, "eval", "--max-windows", "2"),
            UserError, "error: {dir}/m: perplexity is not finite", Also: AssertNoNumberLikeNaN),
        new("prune-json-nan", w => NanModel(w, float.NaN, "prune", "--calib", "synthetic:train:16x64:seed0", "--eval", "synthetic:valid:64:4", "--json"),
            UserError, "error: {dir}/m: the dense model's perplexity is not finite (NaN)", Also: r => AssertNullWithReason(r, "dense_ppl")),
        new("prune-table-nan", w => NanModel(w, float.NaN, "prune", "--calib", "synthetic:train:16x64:seed0", "--eval", "synthetic:valid:64:4"),
            UserError, "error: {dir}/m: the dense model's perplexity is not finite (NaN)", Also: AssertNoNumberLikeNaN),

        // a LiteDB file cut in half (LiteException without a file name, exit 1)
        Half("half-store-trials", db => ["trials", "--db", db, "--study", "s"]),
        Half("half-store-best", db => ["best", "--db", db, "--study", "s"]),
        Half("half-store-report", db => ["report", "--db", db, "--study", "s", "--out", Path.Combine(Path.GetDirectoryName(db)!, "report")]),
        Half("half-store-compare", db => ["compare", "--db", db, "--study", "s"]),
        Half("half-store-export", db => ["export", "--db", db, "--study", "s", "--out", Path.Combine(Path.GetDirectoryName(db)!, "out")]),
        Half("half-store-search", db => BadInputFixture.SearchArgs(db)),

        // hand-edited store documents (InvalidCastException / ArgumentException / FormatException, exit 1)
        Edited("edited-trial-value-string-trials", w => w.StoreWithTrial(2, d => d["value"] = "abc"), Trials, "FormatException"),
        Edited("edited-trial-value-string-search", w => w.StoreWithTrial(2, d => d["value"] = "abc"), db => BadInputFixture.SearchArgs(db), "FormatException"),
        Edited("edited-trial-state-unknown-best", w => w.StoreWithTrial(0, d => d["state"] = "Exploded"), Best, "ArgumentException"),
        Edited("edited-trial-number-string-report", w => w.StoreWithTrial(1, d => d["number"] = "two"), Report, "FormatException"),
        Edited("edited-param-kind-unknown-compare", w => w.StoreWithTrial(4, d => d["params"].AsArray[0].AsDocument["k"] = "Complex"),
            db => ["compare", "--db", db, "--study", "s"], "ArgumentException"),
        Edited("edited-trial-start-string-export", w => w.StoreWithTrial(3, d => d["start"] = "yesterday"),
            db => ["export", "--db", db, "--study", "s", "--out", Path.Combine(Path.GetDirectoryName(db)!, "out")], "FormatException"),
        Edited("edited-trial-scores-number-trials", w => w.StoreWithTrial(1, d => d["scores"] = 7), Trials, "ArgumentNullException"),
        Edited("edited-trial-state-number-trials", w => w.StoreWithTrial(1, d => d["state"] = 5), Trials, "InvalidCastException"),
        Edited("edited-study-seed-string-trials", w => w.StoreWithStudy(d => d["seed"] = "zero"), Trials, "FormatException"),
        Edited("edited-study-seed-string-search", w => w.StoreWithStudy(d => d["seed"] = "zero"), db => BadInputFixture.SearchArgs(db), "FormatException"),
        new("edited-final-attr-not-json-best",
            w => Best(w.StoreWithTrial(0, d => d["attrs"].AsArray.First(a => a["k"] == "post.final").AsDocument["v"] = "{ not json")),
            UserError, "error: {dir}/study.db: study 's' trial 1 has an unreadable 'post.final' attribute", StoreAfter.Identical),
        new("edited-plan-attr-not-json-report",
            w => Report(w.StoreWithTrial(2, d => d["attrs"].AsArray.First(a => a["k"] == "plan").AsDocument["v"] = "[1,")),
            UserError, "error: {dir}/study.db: study 's' trial 3 has an unreadable 'plan' attribute", StoreAfter.Identical),
        // a trial document copied by hand: two trials with one number (accepted, the tables showed both)
        Duplicate("duplicate-trial-trials", Trials),
        Duplicate("duplicate-trial-best", Best),
        Duplicate("duplicate-trial-export", Export),
        Duplicate("duplicate-trial-search", db => BadInputFixture.SearchArgs(db)),
        // every trial failed: best printed nulls and exited 0 while report and export refused
        new("all-failed-best", w => Best(w.StoreWithEveryTrial(FailTrial)),
            UserError, "error: {dir}/study.db: study 's' has no complete trial (", StoreAfter.Identical),
        new("all-failed-best-json", w => [.. Best(w.StoreWithEveryTrial(FailTrial)), "--json"],
            UserError, "error: {dir}/study.db: study 's' has no complete trial (", StoreAfter.Identical),
        new("all-failed-report", w => Report(w.StoreWithEveryTrial(FailTrial)),
            UserError, "error: {dir}/study.db: study 's' has no complete trial (", StoreAfter.Identical),
        new("not-a-store-trials", w => Trials(w.ForeignStore("these are my notes\n")),
            UserError, "error: ", StoreAfter.Identical, Names: StoreFile),

        // experiment files missing a field or holding a bad one (ArgumentNullException 'path2', exit 1)
        Experiment("experiment-without-model", e => e.Remove("model"), "required field 'model' is missing"),
        Experiment("experiment-without-seqlen", e => e.Remove("seqlen"), "required field 'seqlen' is missing"),
        Experiment("experiment-without-space", e => e.Remove("space"), "required field 'space' is missing"),
        Experiment("experiment-model-null", e => e["model"] = null, "required field 'model' is missing"),
        Experiment("experiment-trials-string", e => e["trials"] = "many", "field 'trials' has the wrong JSON type or value"),
        Experiment("experiment-finalists-negative", e => e["finalists"] = -1, "field 'finalists' must be at least 0, got -1"),
        Experiment("experiment-trials-zero", e => e["trials"] = 0, "field 'trials' must be at least 1, got 0"),
        Experiment("experiment-ratio-one", e => e["ratio"] = 1.0, "field 'ratio' must be in [0, 1)"),
        Experiment("experiment-fitness-unknown", e => e["fitness"] = "mse", "field 'fitness' must be ppl or kl, got mse"),
        Experiment("experiment-final-tokens-zero", e => e["final_tokens"] = 0, "field 'final_tokens' must be a positive number or \"all\", got 0"),
        Experiment("experiment-variant-fitness-unknown", e => e["variants"] = new JsonArray(new JsonObject { ["name"] = "a", ["fitness"] = "mse" }),
            "field 'variants[0].fitness' must be ppl or kl, got mse"),
        Experiment("experiment-variant-trials-zero", e => e["variants"] = new JsonArray(new JsonObject { ["name"] = "a", ["trials"] = 0 }),
            "field 'variants[0].trials' must be at least 1, got 0"),
        Experiment("experiment-bos-unknown", e => { e["bos"] = "sometimes"; e["space"] = CliRunner.Space("quick.json"); },
            "field 'bos': unknown value 'sometimes' (expected corpus, window or none)"),
        // the copy's relative space path does not resolve under the copy's root: refused before a model loads
        Experiment("experiment-space-missing", _ => { }, "field 'space' names search-spaces/"),

        // a space whose calibration_samples is fixed at 0 ("can be 0, outside 1..0 (raise --pool-size)")
        new("space-calibration-samples-fixed-0", w => ["search", "--space", w.Space(SamplesFixedAtZero), "--db", w.Path("new.db"), "--study", "z", "--trials", "1"],
            UserError, "error: {dir}/space.json: calibration_samples can be 0; it must be at least 1"),

        // every numeric option of every command
        Option("eval-threads-0", ["eval", "--threads", "0"], "--threads must be at least 1, got 0"),
        Option("eval-threads-negative", ["eval", "--threads", "-1"], "--threads must be at least 1, got -1"),
        Option("eval-batch-size-negative", ["eval", "--batch-size", "-4"], "--batch-size must be at least 0, got -4"),
        Option("eval-seqlen-1", ["eval", "--seqlen", "1"], "--seqlen must be at least 2, got 1"),
        Option("eval-seqlen-0", ["eval", "--seqlen", "0"], "--seqlen must be at least 2, got 0"),
        Option("eval-max-windows-0", ["eval", "--max-windows", "0"], "--max-windows must be at least 1, got 0"),
        Option("eval-seqlen-not-a-number", ["eval", "--seqlen", "long"], "Cannot parse argument 'long' for option '--seqlen'"),
        Option("prune-threads-0", ["prune", "--threads", "0"], "--threads must be at least 1, got 0"),
        Option("prune-ratio-above-one", ["prune", "--ratio", "1.5"], "--ratio must be in [0, 1) (got 1.5)"),
        Option("prune-ratio-nan", ["prune", "--ratio", "NaN"], "--ratio must be in [0, 1) (got NaN)"),
        Option("prune-calib-zero-windows", ["prune", "--calib", "synthetic:train:0x128:seed0"], "calibration pool 'synthetic:train:0x128:seed0': size '0x128'"),
        Option("prune-calib-negative-seed", ["prune", "--calib", "synthetic:train:4x128:seed-1"], "calibration pool 'synthetic:train:4x128:seed-1': seed 'seed-1' must be 0 or more"),
        Option("prune-eval-seqlen-0", ["prune", "--eval", "synthetic:valid:0"], "evaluation set 'synthetic:valid:0': seqlen '0'"),
        Option("prune-width-multiple-0", ["prune", "--width-multiple", "0"], "--width-multiple must be at least 1, got 0"),
        Option("prune-quant-unknown", ["prune", "--format", "gguf", "--quant", "q3_k", "--out", "unused.gguf"], "--quant: unknown quantization 'q3_k' (expected q8_0, q6_k, q5_k_m, q4_k_m or q4_0)"),
        Option("prune-quant-with-dtype", ["prune", "--format", "gguf", "--quant", "q8_0", "--gguf-dtype", "f16", "--out", "unused.gguf"], "--quant quantizes from an f32 GGUF"),
        Option("bench-quant-unknown", ["bench", "--llama-cpp", "--quant", "int4"], "--quant: unknown GGUF weight type 'int4'"),
        Option("prune-eval-max-windows-0", ["prune", "--eval", "synthetic:valid:64:0"], "evaluation set 'synthetic:valid:64:0'"),
        SearchOption("search-threads-negative", ["--threads", "-1"], "--threads must be at least 1, got -1"),
        SearchOption("search-trials-0", ["--trials", "0"], "--trials must be at least 1, got 0"),
        SearchOption("search-finalists-negative", ["--finalists", "-1"], "--finalists must be at least 0, got -1"),
        SearchOption("search-pool-size-0", ["--pool-size", "0"], "--pool-size must be at least 1, got 0"),
        SearchOption("search-pool-size-negative", ["--pool-size", "-3"], "--pool-size must be at least 1, got -3"),
        SearchOption("search-proxy-windows-0", ["--proxy-windows", "0"], "--proxy-windows must be at least 1, got 0"),
        SearchOption("search-seqlen-1", ["--seqlen", "1"], "--seqlen must be at least 2, got 1"),
        SearchOption("search-ratio-one", ["--ratio", "1.0"], "--ratio must be in [0, 1) (got 1)"),
        SearchOption("search-ratio-negative", ["--ratio", "-0.1"], "--ratio must be in [0, 1) (got -0.1)"),
        SearchOption("search-final-tokens-0", ["--final-tokens", "0"], "--final-tokens must be a positive token count or 'all', got '0'"),
        SearchOption("search-bos-unknown", ["--bos", "sometimes"], "--bos: unknown value 'sometimes' (expected corpus, window or none)"),
        SearchOption("search-dtype-unknown", ["--dtype", "int8"], "--dtype: unknown dtype 'int8' (expected float32, float16 or bfloat16)"),
        StoreOption("report-format-unknown", db => [.. Report(db), "--format", "pdf"], "error: --format: unknown value 'pdf' (expected md, csv, latex or json)"),
        Option("init-model-shape-unknown", ["init-model", "--shape", "gpt5", "--out", "unused"], "--shape: unknown shape 'gpt5'"),
        SearchOption("search-grace-0", ["--grace", "0"], "--grace must be a positive number of seconds, got 0"),
        SearchOption("search-grace-negative", ["--grace", "-5"], "--grace must be a positive number of seconds, got -5"),
        SearchOption("search-fitness-unknown", ["--fitness", "mse"], "--fitness: unknown value 'mse' (expected ppl or kl)"),
        SearchOption("search-space-missing", ["--space", "nope.json"], "--space: nope.json not found"),
        SearchOption("search-final-tokens-text", ["--final-tokens", "many"], "--final-tokens must be a positive token count or 'all', got 'many'"),
        SearchOption("search-seed-not-a-number", ["--seed", "x"], "Cannot parse argument 'x' for option '--seed'"),
        SearchOption("search-width-multiple-0", ["--width-multiple", "0"], "--width-multiple must be at least 1, got 0"),
        SearchOption("search-width-multiple-wider-than-mlp", ["--width-multiple", "512"], "--width-multiple 512 exceeds layer 0's MLP width 176"),
        SearchOption("search-speed-quant-unknown", ["--speed", "true", "--llama-cpp", "true", "--speed-quant", "q3_k"], "--speed-quant: unknown GGUF weight type 'q3_k'"),
        StoreOption("trials-unknown-study", db => ["trials", "--db", db, "--study", "nope"], "error: {dir}/study.db: no study named 'nope'"),
        StoreOption("best-unknown-study", db => ["best", "--db", db, "--study", "nope"], "error: {dir}/study.db: no study named 'nope'"),
        StoreOption("report-top-0", db => [.. Report(db), "--top", "0"], "error: --top must be at least 1, got 0"),
        StoreOption("compare-trial-0", db => ["compare", "--db", db, "--trial", "s:0"], "error: study 's' has no trial 0"),
        StoreOption("compare-trial-negative", db => ["compare", "--db", db, "--trial", "s:-1"], "error: study 's' has no trial -1"),
        StoreOption("export-trial-0", db => [.. Export(db), "--trial", "0"], "error: study 's' has no trial 0"),
        StoreOption("export-trial-negative", db => [.. Export(db), "--trial", "-2"], "error: --trial: '-2' is not a trial number or 'best'"),
        StoreOption("export-threads-0", db => [.. Export(db), "--threads", "0"], "error: --threads must be at least 1, got 0"),
        new("reproduce-threads-0", w => ["reproduce", w.Experiment(_ => { }), "--threads", "0", "--results", w.Path("r")],
            UserError, "error: --threads must be at least 1, got 0"),
        Option("init-model-layers-0", ["init-model", "--shape", "stories15m", "--out", "unused", "--layers", "0"], "--layers must be at least 1, got 0"),
        Option("init-model-layers-above-shape", ["init-model", "--shape", "stories15m", "--out", "unused", "--layers", "7"], "--layers must be in 1..6 for stories15m, got 7"),
        Option("init-model-seed-not-a-number", ["init-model", "--shape", "stories15m", "--out", "unused", "--seed", "x"], "Cannot parse argument 'x' for option '--seed'"),
    ];

    private const string DownProj = "model.layers.0.mlp.down_proj.weight";

    private static string[] Trials(string db) => ["trials", "--db", db, "--study", "s"];
    private static string[] Best(string db) => ["best", "--db", db, "--study", "s"];
    private static string[] Report(string db) => ["report", "--db", db, "--study", "s", "--out", Path.Combine(Path.GetDirectoryName(db)!, "report")];
    private static string[] Export(string db) => ["export", "--db", db, "--study", "s", "--out", Path.Combine(Path.GetDirectoryName(db)!, "out")];

    private static BadInputCase Config(string name, Action<JsonObject> edit, string message) =>
        new(name, w => ["eval", "--model", w.Model(edit), "--max-windows", "2"], UserError, "error: {dir}/m/config.json: " + message);

    private static string[] NanModel(BadInputWorkspace w, float value, params string[] args)
    {
        w.Model();
        SafetensorsEdit.FillF32(w.Weights, "model.norm.weight", value);
        return [args[0], "--model", w.Path("m"), .. args[1..]];
    }

    private static BadInputCase Half(string name, Func<string, string[]> command) =>
        new(name, w => command(w.HalfStore()), UserError, StoreDamaged, StoreAfter.Identical, Names: StoreFile);

    /// <summary><paramref name="exception"/>: what the document mapping throws, for the reader of the table (the line names the file).</summary>
    private static BadInputCase Edited(string name, Func<BadInputWorkspace, string> edit, Func<string, string[]> command, string exception) =>
        new(name, w => command(edit(w)), UserError, StoreDamaged, StoreAfter.Identical, Names: StoreFile);

    private static BadInputCase Duplicate(string name, Func<string, string[]> command) =>
        new(name, w => command(w.StoreWithDuplicateTrial(3)), UserError, "error: ", StoreAfter.Identical,
            Names: "{dir}/study.db': study 's' has two trials numbered 4");

    private static void FailTrial(BsonDocument trial)
    {
        trial["state"] = "Failed";
        trial["value"] = BsonValue.Null;
        trial["scores"] = new BsonArray();
        trial["error"] = "out of memory";
    }

    /// <summary>calibration_samples fixed at 0 and no baselines (which would name a sample count of their own).</summary>
    private static void SamplesFixedAtZero(JsonObject space)
    {
        var samples = space["params"]!.AsArray().First(p => (string?)p!["name"] == "calibration_samples")!.AsObject();
        foreach (var key in samples.Select(kv => kv.Key).ToList()) if (key != "name") samples.Remove(key);
        samples["kind"] = "fixed";
        samples["value"] = 0;
        space.Remove("baselines");
    }

    private static BadInputCase Experiment(string name, Action<JsonObject> edit, string message) =>
        new(name, w => ["reproduce", w.Experiment(edit), "--results", w.Path("r")], UserError, "error: experiment {dir}/experiments/x.json: " + message);

    private static BadInputCase Option(string name, string[] args, string message) =>
        new(name, _ => args, UserError, "error: " + message);

    /// <summary>The fixture's search command on a copy of its store, one option replaced: refused before the store is opened.</summary>
    private static BadInputCase SearchOption(string name, string[] replace, string message) =>
        new(name, w => BadInputFixture.SearchArgs(w.Store(), replace), UserError, "error: " + message, StoreAfter.Identical);

    private static BadInputCase StoreOption(string name, Func<string, string[]> command, string message) =>
        new(name, w => command(w.Store()), UserError, message, StoreAfter.Identical);

    /// <summary>The JSON on stdout has null where the number was and says why.</summary>
    private static void AssertNullWithReason(CliRun run, string field)
    {
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty(field).ValueKind);
        Assert.Contains("not finite", doc.RootElement.GetProperty("error").GetString());
    }

    /// <summary>The table says "not finite" and never shows NaN as if it were a perplexity.</summary>
    private static void AssertNoNumberLikeNaN(CliRun run)
    {
        Assert.Contains("not finite", run.Output);
        Assert.DoesNotMatch(@"(│|→)\s*(NaN|∞|Infinity)\b", run.Output);
    }
}

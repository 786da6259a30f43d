using Search.Application.Views;
using System.CommandLine;
using System.Text.Json;
using Search.Training.Zoo;
using Spectre.Console;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch zoo list|train</c>: the zoo of small LLaMA-family models trained by the project's own
/// trainer on ../shared's corpora (results/zoo/README.md). <c>--model zoo:NAME</c> trains the same
/// model into the cache on first use wherever a model is taken.
/// </summary>
public static class ZooCommand
{
    public static Command Create(TextWriter output)
    {
        var zoo = new Command("zoo", "Small LLaMA-family models (MHA/GQA, 4-12 layers, narrow/wide FFN, tied/untied) trained on " +
                                     "../shared's corpora with stories260K's tokenizer; use one anywhere as --model zoo:NAME.");
        zoo.Add(List(output));
        zoo.Add(Train(output));
        zoo.Add(Report(output));
        return zoo;
    }

    private static Command List(TextWriter output)
    {
        var dataDir = CommonOptions.DataDir();
        var cmd = new Command("list", "The zoo's models: shape, parameters, and training cost and TinyStories valid ppl where trained.") { dataDir };
        cmd.SetAction(parse =>
        {
            var table = new Table().AddColumns("name", "params", "layers", "d", "heads/kv", "FFN", "tied", "steps × tokens",
                "train s", "valid ppl", "folder");
            foreach (var e in ZooModels.List(dataDir: parse.GetValue(dataDir)))
            {
                var r = e.Recipe;
                table.AddRow(r.Name, $"{e.Parameters:N0}", $"{r.NumLayers}", $"{r.HiddenSize}", $"{r.NumHeads}/{r.NumKvHeads}",
                    $"{r.IntermediateSize} ({(double)r.IntermediateSize / r.HiddenSize:F2}×)", r.TiedEmbeddings ? "yes" : "no",
                    $"{r.Schedule.Steps} × {r.Schedule.BatchSize}×{r.Schedule.SeqLen}",
                    e.Summary is { } s ? $"{s.TrainSeconds:F0}" : "-", e.Summary is { } v ? $"{v.Valid.Perplexity:F2}" : "not trained",
                    Markup.Escape(e.Dir));
            }
            Terminal.ConsoleFor(output).Write(table);
            return 0;
        });
        return cmd;
    }

    private const string AllModels = "all";

    private static void Print(TextWriter output, ZooModel model, string? copiedTo)
    {
        var t = model.Summary;
        output.WriteLine($"{t.Name}: {(model.Built ? "trained" : "cached")} in {model.Dir}");
        output.WriteLine($"  {t.Parameters:N0} parameters; {t.Steps} steps, {t.TokensSeen:N0} tokens in {t.TrainSeconds:F0} s (CPU {t.TrainCpuSeconds:F0} s) " +
                         $"({t.TokensPerSecond:F0} tokens/s, load {t.LoadAverageStart:F1}-{t.LoadAverageEnd:F1} on {t.Cores} cores)");
        output.WriteLine($"  epochs: {string.Join(", ", t.Mixture.Select(m => $"{m.Dataset} {m.Split} {m.Epochs:F2}"))}");
        output.WriteLine($"  loss {t.InitialLoss:F3} → {t.FinalTrainLoss:F3} (train, last 10 steps); TinyStories train ppl " +
                         $"{t.TinyStoriesTrain.Perplexity:F2}, valid ppl {t.Valid.Perplexity:F2} (valid[search] " +
                         $"{t.Valid.SearchHalfPerplexity:F2}, valid[test] {t.Valid.TestHalfPerplexity:F2}); unigram {t.UnigramPerplexity:F2}");
        if (copiedTo is not null) output.WriteLine($"  copied to {copiedTo}");
    }

    private static Command Report(TextWriter output)
    {
        var outFile = new Option<string?>("--out") { Description = "write the markdown here (default: print it)" };
        var dataDir = CommonOptions.DataDir();
        var cmd = new Command("report", "The zoo's table (results/zoo/README.md) from the trained models' training.json files; " +
                                        "every model must be trained (experiments/zoo.sh trains and reports).") { outFile, dataDir };
        cmd.SetAction(parse =>
        {
            var entries = ZooModels.List(dataDir: parse.GetValue(dataDir));
            var missing = entries.Where(e => e.Summary is null).Select(e => e.Recipe.Name).ToList();
            if (missing.Count > 0)
                throw new Search.Model.UserInputException($"zoo report: not trained yet: {string.Join(", ", missing)} (prunesearch zoo train NAME)");
            string markdown = ZooReport.Markdown(entries.Select(e => e.Summary!).ToList(), "experiments/zoo.sh");
            if (parse.GetValue(outFile) is { } path) File.WriteAllText(path, markdown);
            else output.Write(markdown);
            return 0;
        });
        return cmd;
    }

    private static Command Train(TextWriter output)
    {
        var name = new Argument<string>("name") { Description = $"a zoo model (prunesearch zoo list), or '{AllModels}' for every one, smallest first" };
        var outDir = new Option<string?>("--out") { Description = "also copy the trained folder here (must not exist or be empty)" };
        var seed = new Option<ulong?>("--seed") { Description = "train with this seed instead of the recipe's (a separate cache entry)" };
        var steps = new Option<int?>("--steps") { Description = "train this many steps instead of the recipe's (a separate cache entry)" }.AtLeast(1);
        var dataDir = CommonOptions.DataDir();
        var json = CommonOptions.Json();
        var cmd = new Command("train", "Train a zoo model into the cache ($PRUNESEARCH_CACHE_DIR/zoo/NAME-vV-HASH, keyed by recipe and data), " +
                                       "or find it there; prints its training time, tokens and losses (also in its training.json).")
        {
            name, outDir, seed, steps, dataDir, json,
        };
        cmd.SetAction(parse =>
        {
            string what = parse.GetValue(name)!;
            bool all = what == AllModels;
            if (all && (parse.GetValue(outDir) is not null || parse.GetValue(seed) is not null || parse.GetValue(steps) is not null))
                throw new Search.Model.UserInputException($"zoo train {AllModels}: --out, --seed and --steps apply to one model only");
            var recipes = all ? ZooCatalog.All : [ZooCatalog.Find(what)];
            if (parse.GetValue(outDir) is { } target) ZooModels.RequireEmptyTarget(target);
            bool asJson = parse.GetValue(json);
            foreach (var catalogRecipe in recipes)
            {
                var recipe = catalogRecipe;
                if (parse.GetValue(seed) is ulong s) recipe = recipe with { Seed = s };
                if (parse.GetValue(steps) is int n) recipe = recipe with { Schedule = recipe.Schedule with { Steps = n } };
                var model = ZooModels.Ensure(recipe, dataDir: parse.GetValue(dataDir), log: asJson ? null : output.WriteLine);
                if (parse.GetValue(outDir) is { } to) ZooModels.CopyTo(model, to);
                if (asJson) output.WriteLine(JsonSerializer.Serialize(model.Summary, ZooSummary.Json));
                else Print(output, model, parse.GetValue(outDir));
            }
            return 0;
        });
        return cmd;
    }
}

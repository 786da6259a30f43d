using System.CommandLine;
using Search.Application.Zoo;
using Search.Training.Zoo;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch zoo list|train</c>: the zoo of small LLaMA-family models trained by the project's own
/// trainer on ../shared's corpora (results/zoo/README.md). <c>--model zoo:NAME</c> trains the same
/// model into the cache on first use wherever a model is taken. The work is <see cref="ZooCatalogs"/>.
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
            ZooCatalogs.List(output, parse.GetValue(dataDir));
            return 0;
        });
        return cmd;
    }

    private const string AllModels = "all";

    private static Command Report(TextWriter output)
    {
        var outFile = new Option<string?>("--out") { Description = "write the markdown here (default: print it)" };
        var dataDir = CommonOptions.DataDir();
        var cmd = new Command("report", "The zoo's table (results/zoo/README.md) from the trained models' training.json files; " +
                                        "every model must be trained (experiments/zoo.sh trains and reports).") { outFile, dataDir };
        cmd.SetAction(parse =>
        {
            ZooCatalogs.Report(output, parse.GetValue(dataDir), parse.GetValue(outFile));
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
            if (parse.GetValue(outDir) is { } target && !ZooModels.IsEmptyTarget(target))
                throw new Search.Model.UserInputException($"--out {target} exists and is not empty");
            ZooCatalogs.Train(output, new ZooTrainRequest(recipes, parse.GetValue(seed), parse.GetValue(steps), parse.GetValue(outDir),
                parse.GetValue(dataDir), parse.GetValue(json)));
            return 0;
        });
        return cmd;
    }
}

using System.Text.Json;
using Search.Application.Views;
using Search.Model;
using Search.Training.Zoo;
using Spectre.Console;

namespace Search.Application.Zoo;

/// <summary>What <c>zoo train</c> was asked: recipes from the catalog, optionally with another seed or step count, and a folder to copy one to.</summary>
public sealed record ZooTrainRequest(IReadOnlyList<ZooRecipe> Recipes, ulong? Seed, int? Steps, string? CopyTo, string? DataDir, bool Json);

/// <summary>
/// <c>zoo list|train|report</c>: the zoo of small LLaMA-family models trained by the project's own
/// trainer on ../shared's corpora (results/zoo/README.md).
/// </summary>
public static class ZooCatalogs
{
    /// <summary>The zoo's models: shape, parameters, and training cost and valid ppl where trained.</summary>
    public static void List(TextWriter output, string? dataDir)
    {
        var table = new Table().AddColumns("name", "params", "layers", "d", "heads/kv", "FFN", "tied", "steps × tokens",
            "train s", "valid ppl", "folder");
        foreach (var e in ZooModels.List(dataDir: dataDir))
        {
            var r = e.Recipe;
            table.AddRow(r.Name, $"{e.Parameters:N0}", $"{r.NumLayers}", $"{r.HiddenSize}", $"{r.NumHeads}/{r.NumKvHeads}",
                $"{r.IntermediateSize} ({(double)r.IntermediateSize / r.HiddenSize:F2}×)", r.TiedEmbeddings ? "yes" : "no",
                $"{r.Schedule.Steps} × {r.Schedule.BatchSize}×{r.Schedule.SeqLen}",
                e.Summary is { } s ? $"{s.TrainSeconds:F0}" : "-", e.Summary is { } v ? $"{v.Valid.Perplexity:F2}" : "not trained",
                Markup.Escape(e.Dir));
        }
        Terminal.ConsoleFor(output).Write(table);
    }

    /// <summary>Trains (or finds in the cache) each recipe, copies it where asked, and prints its training summary.</summary>
    public static void Train(TextWriter output, ZooTrainRequest r)
    {
        foreach (var catalogRecipe in r.Recipes)
        {
            var recipe = catalogRecipe;
            if (r.Seed is ulong s) recipe = recipe with { Seed = s };
            if (r.Steps is int n) recipe = recipe with { Schedule = recipe.Schedule with { Steps = n } };
            var model = ZooModels.Ensure(recipe, dataDir: r.DataDir, log: r.Json ? null : output.WriteLine);
            if (r.CopyTo is { } to) ZooModels.CopyTo(model, to);
            if (r.Json) output.WriteLine(JsonSerializer.Serialize(model.Summary, ZooSummary.Json));
            else Print(output, model, r.CopyTo);
        }
    }

    /// <summary>The zoo's markdown table from the trained models' training.json files; every model must be trained.</summary>
    public static void Report(TextWriter output, string? dataDir, string? outFile)
    {
        var entries = ZooModels.List(dataDir: dataDir);
        var missing = entries.Where(e => e.Summary is null).Select(e => e.Recipe.Name).ToList();
        if (missing.Count > 0)
            throw new UserInputException($"zoo report: not trained yet: {string.Join(", ", missing)} (prunesearch zoo train NAME)");
        string markdown = ZooReport.Markdown(entries.Select(e => e.Summary!).ToList(), "experiments/zoo.sh");
        if (outFile is { } path) File.WriteAllText(path, markdown);
        else output.Write(markdown);
    }

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

}

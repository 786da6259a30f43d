using System.Text.Json;
using Search.Model;

namespace Search.Training.Embedded;

/// <summary>
/// The project's self-made model and corpus, so a fresh clone without ../shared and without network
/// can still run a pruning search and its tests. Built once per recipe into a cache folder and
/// reused (<see cref="CachedBuild"/>: once across processes too); building is deterministic, so every
/// machine gets the same bits.
/// </summary>
public static class EmbeddedDefault
{
    public const string ModelFolder = "model";
    public const string DataFolder = "data";
    public const string SummaryFile = "training.json";

    /// <summary>The folder a recipe builds into (exists only once the build completed).</summary>
    public static string FolderFor(string cacheRoot, TinyModelRecipe recipe) =>
        Path.Combine(cacheRoot, $"embedded-llama-v{TinyModelRecipe.Version}-{recipe.Hash()}");

    /// <summary>
    /// Returns the assets of <paramref name="recipe"/> (default: <see cref="TinyModelRecipe.Default"/>),
    /// building them first when the cache lacks them. Prints nothing; progress goes to <paramref name="log"/>.
    /// </summary>
    public static EmbeddedAssets Ensure(string? cacheRoot = null, Action<string>? log = null, TinyModelRecipe? recipe = null)
    {
        recipe ??= TinyModelRecipe.Default;
        string final = FolderFor(Path.GetFullPath(cacheRoot ?? CacheFolders.Root()), recipe);
        CachedBuild.Ensure(final, temp =>
        {
            log?.Invoke($"building the embedded model and corpus into {final} (once per recipe)");
            Build(recipe, temp, log);
        }, log);
        return new EmbeddedAssets(Path.Combine(final, ModelFolder), Path.Combine(final, DataFolder));
    }

    private static void Build(TinyModelRecipe recipe, string dir, Action<string>? log)
    {
        string data = Path.Combine(dir, DataFolder), model = Path.Combine(dir, ModelFolder);
        SyntheticLanguage.WriteCorpus(data, recipe.Seed, recipe.TrainChars, recipe.ValidChars, recipe.TestChars);
        var summary = TinyModelTrainer.TrainAndSave(recipe, data, model, log);
        var options = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(dir, "recipe.json"), JsonSerializer.Serialize(recipe, options) + "\n");
        File.WriteAllText(Path.Combine(dir, SummaryFile), JsonSerializer.Serialize(summary, options) + "\n");
    }
}

using System.Text.Json;
using Search.Model;

namespace Search.Data.Embedded;

/// <summary>
/// The project's self-made model and corpus, so a fresh clone without ../shared and without network
/// can still run a pruning search and its tests. Built once per recipe into a cache folder and
/// reused; building is deterministic, so every machine gets the same bits.
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
        string root = Path.GetFullPath(cacheRoot ?? CacheFolders.Root());
        string final = FolderFor(root, recipe);
        var assets = new EmbeddedAssets(Path.Combine(final, ModelFolder), Path.Combine(final, DataFolder));
        StaleLeftovers.SweepBuildFoldersOnce(root); // half-built folders of killed builds
        // The folder appears only by an atomic rename of a finished build, so existing means complete.
        if (Directory.Exists(final)) return assets;

        Directory.CreateDirectory(root);
        string temp = Path.Combine(root, $"{StaleLeftovers.BuildFolderPrefix}{Path.GetFileName(final)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            log?.Invoke($"building the embedded model and corpus into {final} (once per recipe)");
            Build(recipe, temp, log);
            try
            {
                Directory.Move(temp, final); // rename(2): atomic on one file system
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another process finished first. Its build is bit-identical, so keep it and drop ours.
                log?.Invoke("another process built the same recipe first; using its copy");
            }
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return assets;
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

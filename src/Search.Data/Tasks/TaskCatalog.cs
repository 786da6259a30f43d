using Search.Model;

namespace Search.Data.Tasks;

/// <summary>
/// Resolves <c>--tasks</c> values. A task is a name (<see cref="LmEvalTasks"/>, <c>story_next</c>)
/// or <c>name=PATH</c> with PATH a .jsonl/.parquet file of that task's split in its Hugging Face schema.
/// A bare name looks under <c>DATA_DIR/tasks/NAME/</c> for the files of its split: every
/// <c>SPLIT*.jsonl</c> or <c>SPLIT*.parquet</c> (hub shards such as <c>validation-00000-of-00001.parquet</c>),
/// read in name order. <c>story_next</c> reads the <c>tinystories</c> validation file.
/// </summary>
public static class TaskCatalog
{
    public const string Folder = "tasks";

    public static IReadOnlyList<string> KnownNames { get; } = [.. LmEvalTasks.All.Select(t => t.Name), StoryNextTask.Name];

    /// <summary>Splits a comma-separated list, checks every name and that none repeats.</summary>
    public static IReadOnlyList<string> ParseList(string value, string option)
    {
        var specs = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (specs.Length == 0) throw new UserInputException($"{option}: no task named (known: {string.Join(", ", KnownNames)})");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in specs)
        {
            string name = NameOf(spec);
            if (!KnownNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new UserInputException($"{option}: unknown task '{name}' (known: {string.Join(", ", KnownNames)})");
            if (!seen.Add(name)) throw new UserInputException($"{option}: task '{name}' is listed twice");
        }
        return specs;
    }

    private static string NameOf(string spec) => spec.Split('=', 2)[0].Trim().ToLowerInvariant();

    /// <summary>Loads one task (name or name=PATH), reading files under <paramref name="dataDir"/> (resolved as <see cref="DataDirectory"/> does) when no path is given.</summary>
    public static LoadedTask Load(string spec, string? dataDir)
    {
        string name = NameOf(spec);
        string? path = spec.Contains('=') ? spec.Split('=', 2)[1].Trim() : null;
        if (name == StoryNextTask.Name) return LoadStoryNext(path, dataDir);
        var def = LmEvalTasks.Find(name) ?? throw new UserInputException($"unknown task '{name}' (known: {string.Join(", ", KnownNames)})");
        var files = path is not null ? [path] : FilesOf(def, DataDirectory.Resolve(dataDir));
        var sources = new List<TaskSourceFile>();
        var items = new List<ChoiceItem>();
        foreach (var f in files)
        {
            var file = TaskRows.Read(f);
            sources.Add(new TaskSourceFile(file.Path, file.Sha256));
            items.AddRange(file.Rows.Select(def.Build));
        }
        return new LoadedTask(def.Name, def.Dataset, def.Split, def.Metrics, def.Follows, sources, items);
    }

    private static string[] FilesOf(TaskDefinition def, string dataDir)
    {
        string folder = Path.Combine(dataDir, Folder, def.Name);
        if (!Directory.Exists(folder))
            throw new UserInputException($"task {def.Name}: folder {folder} not found (put the {def.Dataset} '{def.Split}' split there as {def.Split}.jsonl or .parquet, or pass {def.Name}=PATH)");
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetFileName(f).StartsWith(def.Split, StringComparison.Ordinal)
                        && Path.GetExtension(f).ToLowerInvariant() is ".jsonl" or ".parquet")
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new UserInputException($"task {def.Name}: no {def.Split}*.jsonl or {def.Split}*.parquet file in {folder}");
        return files;
    }

    private static LoadedTask LoadStoryNext(string? path, string? dataDir)
    {
        path ??= DatasetCatalog.Open(dataDir).Resolve("tinystories", "valid").Path;
        var text = CorpusText.ReadVerbatim(path);
        var def = StoryNextTask.Definition;
        var items = StoryNextTask.Build(text, file: path);
        return new LoadedTask(def.Name, def.Dataset, def.Split, def.Metrics, def.Follows,
            [new TaskSourceFile(Path.GetFullPath(path), TaskRows.Sha256Of(path))], items);
    }
}

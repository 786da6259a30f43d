using System.CommandLine;
using Search.Data.Tasks;

namespace Search.Cli.Commands;

/// <summary>The multiple-choice task options <c>eval</c> and <c>search</c> share (docs/tasks.md).</summary>
public static class TaskOptions
{
    public static string TaskList => string.Join(", ", TaskCatalog.KnownNames);

    public static Option<string?> Tasks(string name, string what) => new(name)
    {
        Description = $"{what}: comma-separated tasks ({TaskList}); NAME=PATH reads that .jsonl/.parquet file " +
                      $"(HF schema), a bare NAME its split's files under DATA_DIR/{TaskCatalog.Folder}/NAME/",
    };

    public static Option<string> Bos() => new Option<string>("--task-bos")
    {
        Description = "bos: contexts start with BOS (lm-eval >= 0.4.9.2 with a LLaMA tokenizer); none: no BOS (lm-eval 0.4.0-0.4.9)",
        DefaultValueFactory = _ => TaskEncoding.Bos,
    }.ParsedBy(TaskEncoding.ParseBos);

    public static Option<string> Items(string name, string defaultValue) => new(name)
    {
        Description = "score the first N items of each task, or 'all' (like lm-eval's --limit)",
        DefaultValueFactory = _ => defaultValue,
    };

    public static int? ParseItems(string value, string option) =>
        value.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
        : throw new Search.Model.UserInputException($"{option} must be a positive item count or 'all', got '{value}'");
}

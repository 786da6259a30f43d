namespace Search.Data.Tasks;

/// <summary>A file a task's items were read from, with the SHA-256 of its bytes.</summary>
public sealed record TaskSourceFile(string Path, string Sha256);

/// <summary>A task ready to score: its definition's facts, the files it read and its items in file order.</summary>
public sealed record LoadedTask(
    string Name,
    string Dataset,
    string Split,
    IReadOnlyList<string> Metrics,
    string Follows,
    IReadOnlyList<TaskSourceFile> Files,
    IReadOnlyList<ChoiceItem> Items)
{
    /// <summary>The first <paramref name="items"/> items (all when null or more than the task has).</summary>
    public LoadedTask Take(int? items) =>
        items is int n && n < Items.Count ? this with { Items = Items.Take(n).ToArray() } : this;
}

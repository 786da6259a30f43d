using Search.Optimization.Storage;

namespace Search.Application.Stores;

/// <summary>
/// <c>migrate</c>: copies studies between stores (a LiteDB file and a PostgreSQL database, either
/// way) losslessly (<see cref="StoreMigration"/>) and names what was copied. The source is opened read-only.
/// </summary>
public static class StoreCopies
{
    /// <param name="study">Copy only this study (null: all).</param>
    public static void Run(TextWriter output, string from, string to, string? study)
    {
        using var source = StorageLocator.Open(from, readOnly: true);
        using var destination = StorageLocator.Open(to, readOnly: false);
        var copied = StoreMigration.Copy(source, destination, study);
        foreach (var s in copied)
            output.WriteLine($"copied study '{s.Name}': {s.Trials} trials ({s.RunningTrials} running), {s.QueuedConfigs} queued configs, {s.Tasks} study tasks");
        output.WriteLine($"{copied.Count} stud{(copied.Count == 1 ? "y" : "ies")} from {source.DisplayName} to {destination.DisplayName}");
    }
}

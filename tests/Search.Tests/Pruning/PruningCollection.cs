namespace Search.Tests.Pruning;

/// <summary>
/// Pruning tests run one after another: the forward-pass counter is process-wide, and two cores
/// shared with other work gain nothing from running dense passes side by side.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PruningCollection
{
    public const string Name = "Pruning";
}

namespace Search.Tests.Cli;

/// <summary>
/// CLI runs one after another and never beside other tests: they share the embedded model's first
/// build (~1 min, cached afterwards) and assert on process-wide calibration pass counters.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection
{
    public const string Name = "Cli";
}

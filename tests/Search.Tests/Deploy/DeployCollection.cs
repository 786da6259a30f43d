namespace Search.Tests.Deploy;

/// <summary>
/// The deployment tests share one timed study (<see cref="TimedStudy"/>, ~40 s to build) and, like
/// the other CLI tests, run child processes one after another and never beside other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployCollection : ICollectionFixture<TimedStudy>
{
    public const string Name = "Deploy";
}

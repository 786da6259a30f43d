namespace Search.Optimization;

/// <summary>
/// A problem with what the user handed in (space file, study settings, database file), as opposed
/// to a bug. The message is one line and names the offending thing so a CLI can print it as is.
/// </summary>
public sealed class OptimizationInputException : Exception
{
    public OptimizationInputException(string message) : base(message) { }

    public OptimizationInputException(string message, Exception inner) : base(message, inner) { }
}

namespace Search.Records;

/// <summary>Stored params or records that cannot be read as the objective wrote them (one line, exit 2 at the CLI).</summary>
public sealed class RecordInputException(string message) : Exception(message);

namespace Search.Objective;

/// <summary>A study that ran but produced nothing to report (every trial failed): the CLI says why in one line and exits 3.</summary>
public sealed class StudyFailedException(string message) : Exception(message);

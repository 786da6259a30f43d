namespace Search.Reporting;

/// <summary>A user error in what a report was asked for (unknown study, empty study, missing trial, bad folder): one line, exit 2.</summary>
public sealed class ReportInputException(string message, Exception? inner = null) : Exception(message, inner);

namespace Search.Model;

/// <summary>
/// A problem with what the user gave us (a file, a flag, a value). The CLI prints its message as one
/// line and exits non-zero; it never shows a stack trace for these.
/// </summary>
public class UserInputException(string message, Exception? inner = null) : Exception(message, inner);

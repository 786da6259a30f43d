namespace Search.Data.Tasks;

/// <summary>
/// The few Python <c>str</c> methods lm-eval's task code applies to dataset fields, with Python's
/// semantics (its whitespace set includes U+001C..U+001F, which .NET's does not).
/// </summary>
public static class PythonText
{
    private static readonly char[] Whitespace = Enumerable.Range(0, 0x10000)
        .Select(code => (char)code)
        .Where(c => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f')
        .ToArray();

    /// <summary>str.strip()</summary>
    public static string Strip(string s) => s.Trim(Whitespace);

    /// <summary>str.lstrip()</summary>
    public static string LStrip(string s) => s.TrimStart(Whitespace);

    /// <summary>str.rstrip()</summary>
    public static string RStrip(string s) => s.TrimEnd(Whitespace);

    /// <summary>str.capitalize(): the first character upper-cased, every other one lower-cased.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}

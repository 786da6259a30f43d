namespace Search.Tests.Data;

/// <summary>A fact that runs python3; shown as skipped (not silently passed) on machines without it.</summary>
internal sealed class Python3FactAttribute : FactAttribute
{
    public static bool IsOnPath { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, "python3")));

    public Python3FactAttribute()
    {
        if (!IsOnPath) Skip = "python3 is not on PATH; the documented CPython 3.11 outputs are still checked";
    }
}

using Search.Model;

namespace Search.Data;

/// <summary>
/// Finds the folder that holds the named datasets (layout of <c>shared/data</c>): an explicit value,
/// else <c>$PRUNESEARCH_DATA_DIR</c>, else the nearest <c>shared/data</c> walking up from the current
/// directory — so a checkout next to <c>../shared</c> works without configuration.
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "PRUNESEARCH_DATA_DIR";

    public static string Resolve(string? explicitDirectory = null) =>
        Resolve(explicitDirectory, Environment.GetEnvironmentVariable(EnvironmentVariable), Directory.GetCurrentDirectory());

    /// <summary>The same lookup with the environment value and start folder given, so tests need no global state.</summary>
    public static string Resolve(string? explicitDirectory, string? environmentValue, string startDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
            return RequireDirectory(explicitDirectory, "--data-dir");
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return RequireDirectory(environmentValue, EnvironmentVariable);
        return FindSharedData(startDirectory)
            ?? throw new UserInputException(
                $"no data directory: pass --data-dir, set {EnvironmentVariable}, or run below a folder that has shared/data (searched up from {startDirectory})");
    }

    /// <summary>The nearest <c>shared/data</c> in <paramref name="startDirectory"/> or one of its ancestors.</summary>
    public static string? FindSharedData(string startDirectory) => FindShared(startDirectory, "data");

    /// <summary>The nearest <c>shared/{relative}</c> folder (e.g. <c>tokenizers/llama2-32k</c>) at or above <paramref name="startDirectory"/>.</summary>
    public static string? FindShared(string startDirectory, string relative)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(startDirectory)); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string RequireDirectory(string path, string origin) =>
        Directory.Exists(path)
            ? Path.GetFullPath(path)
            : throw new UserInputException($"data directory from {origin} does not exist: {path}");
}

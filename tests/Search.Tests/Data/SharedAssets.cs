namespace Search.Tests.Data;

/// <summary>Locates the real assets in ../shared; tests that need them skip visibly when absent.</summary>
internal static class SharedAssets
{
    public static string? DataDirectory => Search.Pruning.Data.DataDirectory.FindSharedData(AppContext.BaseDirectory)
        ?? Search.Pruning.Data.DataDirectory.FindSharedData(Directory.GetCurrentDirectory());

    public static string? SharedDirectory => DataDirectory is { } data ? Path.GetDirectoryName(data) : null;

    public const string MissingReason = "shared/ (with data/ and models/) not found above the test folder";
}

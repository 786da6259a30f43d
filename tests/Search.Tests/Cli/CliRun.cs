using System.Diagnostics;
using System.Text.Json;

namespace Search.Tests.Cli;

/// <summary>
/// One run of the real <c>prunesearch</c> executable (a child process: tests reference the
/// libraries, never the CLI project), with its exit code and both streams.
/// </summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>What the CLI returns for a user error (one line on stderr).</summary>
    public const int UserError = 2;

    public static CliRun Of(params string[] args) => In(null, args);

    /// <summary>Runs in <paramref name="workDir"/> (null: the test's working directory) and waits for the exit.</summary>
    public static CliRun In(string? workDir, params string[] args) => With(workDir, null, args);

    /// <summary>Runs with extra environment variables (null: none) and waits for the exit.</summary>
    public static CliRun With(string? workDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = CliRunner.Start(workDir, environment, args);
        // Read both streams concurrently so neither pipe fills and blocks the child.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CliRun(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The one JSON object a --json run printed (asserting success first).</summary>
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}: {Error}");
        using var doc = JsonDocument.Parse(Output);
        return doc.RootElement.Clone();
    }
}

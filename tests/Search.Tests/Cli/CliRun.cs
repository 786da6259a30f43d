using System.Text.Json;
using Search.Cli;

namespace Search.Tests.Cli;

/// <summary>An in-process CLI invocation: exit code and both streams.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The one JSON object a --json run printed (asserting success first).</summary>
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}: {Error}");
        using var doc = JsonDocument.Parse(Output);
        return doc.RootElement.Clone();
    }
}

using System.Diagnostics;

namespace Search.Tests.Cli;

/// <summary>Runs the CLI in-process (captured output) or as a child process (for kill tests).</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>A child `prunesearch` process with redirected output, in <paramref name="workDir"/>.</summary>
    public static Process Start(string workDir, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "prunesearch.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>The repository root (for search-spaces/), found from the test binaries.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Search.sln"))) return d.FullName;
            throw new InvalidOperationException("Search.sln not found above the test binaries");
        }
    }

    public static string Space(string name) => Path.Combine(RepoRoot, "search-spaces", name);
}

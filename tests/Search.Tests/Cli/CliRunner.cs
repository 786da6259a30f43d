using System.Diagnostics;

namespace Search.Tests.Cli;

/// <summary>Runs the built CLI (src/Search.Cli's output, same configuration as the tests) as a child process.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }

    /// <summary>A child `prunesearch` process with redirected output, in <paramref name="workDir"/> (null: the current directory).</summary>
    public static Process Start(string? workDir, params string[] args) => Start(workDir, null, args);

    /// <summary>As <see cref="Start(string?, string[])"/>, with extra environment variables (e.g. PRUNESEARCH_CACHE_DIR).</summary>
    public static Process Start(string? workDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        psi.ArgumentList.Add(Executable);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>
    /// prunesearch.dll of the same configuration as this test assembly. `dotnet test Search.sln`
    /// builds it; running this test project alone needs `dotnet build src/Search.Cli` first.
    /// </summary>
    public static string Executable
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory);           // tests/Search.Tests/bin/CFG/net10.0/linux-x64
            string tfmRid = Path.Combine(testBin.Parent!.Name, testBin.Name);   // net10.0/linux-x64
            string configuration = testBin.Parent!.Parent!.Name;                // Debug | Release
            string dll = Path.Combine(RepoRoot, "src", "Search.Cli", "bin", configuration, tfmRid, "prunesearch.dll");
            if (!File.Exists(dll))
                throw new InvalidOperationException($"{dll} not found: build the CLI first (dotnet build Search.sln -c {configuration})");
            return dll;
        }
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

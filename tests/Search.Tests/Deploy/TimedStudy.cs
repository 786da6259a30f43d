using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Tests.Cli;

namespace Search.Tests.Deploy;

/// <summary>
/// One finished study on the embedded model, timed with <c>search --speed --llama-cpp</c> on a small
/// protocol (16-token prompt, 8 new tokens, 2 repeats): quick.json's 11 baselines and 2 searched
/// trials, one searched finalist. Shared by the deployment tests, which only read it.
/// </summary>
public sealed class TimedStudy : IDisposable
{
    public const string Study = "t";
    public const int PromptTokens = 16, NewTokens = 8, Repeats = 2;

    public string Dir { get; } = Directory.CreateTempSubdirectory("prunesearch-deploy-").FullName;

    public string Db => Path.Combine(Dir, "s.db");

    public string[] SearchArgs =>
    [
        "search", "--space", CliRunner.Space("quick.json"), "--db", Db, "--study", Study, "--trials", "13", "--proxy-windows", "4",
        "--finalists", "1", "--pool-size", "128", "--threads", "2", "--speed", "--llama-cpp",
        "--speed-prompt-tokens", $"{PromptTokens}", "--speed-new-tokens", $"{NewTokens}", "--speed-repeats", $"{Repeats}",
    ];

    internal CliRun Search { get; }

    public TimedStudy()
    {
        Search = CliRun.Of(SearchArgs);
        Assert.True(Search.ExitCode == 0, Search.Error);
    }

    public IReadOnlyList<FrozenTrial> Trials()
    {
        using var storage = StorageLocator.Open(Db, readOnly: true);
        return storage.GetTrials(Study);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}

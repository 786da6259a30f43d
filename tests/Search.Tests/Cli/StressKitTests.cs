using System.Diagnostics;

namespace Search.Tests.Cli;

/// <summary>
/// CI's short run of the stress kit (experiments/stress): three kill -9s on the embedded model — in
/// a calibration pass, a trial and finalisation — then a resume, whose final store must equal an
/// uninterrupted run's line for line (trials, params, values, scores, final annotations).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class StressKitTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-stress-ci-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Three_kills_in_calibration_trials_and_finalisation_leave_the_store_of_an_uninterrupted_run()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Kit, "kills", "--kills", "3", "--trials", "8", "--random-seed", "1", "--work", dir, "--cli", CliRunner.Executable })
            psi.ArgumentList.Add(a);
        using var kit = Process.Start(psi)!;
        var output = kit.StandardOutput.ReadToEndAsync();
        var error = kit.StandardError.ReadToEndAsync();
        await kit.WaitForExitAsync();

        string log = await output + await error;
        Assert.True(kit.ExitCode == 0, log);
        Assert.Contains("3 kills (1 calibration, 1 trial, 1 finalisation); final store identical", log);
    }

    /// <summary>The kit's dll, same configuration as this test assembly (built by `dotnet build Search.sln`).</summary>
    private static string Kit
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory);
            string dll = Path.Combine(CliRunner.RepoRoot, "experiments", "stress", "Search.Stress", "bin", testBin.Parent!.Parent!.Name,
                testBin.Parent!.Name, testBin.Name, "Search.Stress.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first (dotnet build Search.sln)");
        }
    }
}

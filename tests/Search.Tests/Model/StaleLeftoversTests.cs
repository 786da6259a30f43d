using System.Diagnostics;
using Search.Model;

namespace Search.Tests.Model;

/// <summary>Temp files and half-built folders of killed runs are swept; those of live writers are not.</summary>
public sealed class StaleLeftoversTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-leftovers-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The pid of a process that has exited (a real one, so the number is not in use now).</summary>
    internal static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private string Touch(string name, TimeSpan age)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public void Temp_file_names_give_their_owner_pid_in_both_forms_and_nothing_else_does()
    {
        Assert.Equal(123, StaleLeftovers.OwnerOfTemporary("abc.pswstats.123.0123456789abcdef0123456789abcdef.tmp"));
        Assert.Equal(456, StaleLeftovers.OwnerOfTemporary("0f3a.json.456.tmp"));
        Assert.Null(StaleLeftovers.OwnerOfTemporary("abc.pswstats"));
        Assert.Null(StaleLeftovers.OwnerOfTemporary("notes.tmp"));
        Assert.Equal(789, StaleLeftovers.OwnerOfBuildFolder(".building-embedded-llama-v1-2a1e3e51d4ac-789-0123456789abcdef0123456789abcdef"));
        Assert.Null(StaleLeftovers.OwnerOfBuildFolder(".building-something"));
    }

    [Fact]
    public void A_dead_owners_temp_file_is_swept_after_the_guard_age_and_a_live_or_fresh_one_is_kept()
    {
        int dead = DeadPid(), live = Environment.ProcessId;
        string guid = Guid.NewGuid().ToString("N");
        var deadOld = Touch($"a.pswstats.{dead}.{guid}.tmp", TimeSpan.FromMinutes(11));
        var deadFresh = Touch($"b.pswstats.{dead}.{guid}.tmp", TimeSpan.FromMinutes(1));
        var liveOld = Touch($"c.json.{live}.tmp", TimeSpan.FromMinutes(30));
        var anyAncient = Touch($"d.i32.{live}.{guid}.tmp", TimeSpan.FromHours(2));
        var cacheFile = Touch("e.pswstats", TimeSpan.FromDays(30));

        int removed = StaleLeftovers.SweepTemporaries(dir, DateTime.UtcNow);

        Assert.Equal(2, removed);
        Assert.False(File.Exists(deadOld));
        Assert.False(File.Exists(anyAncient));
        Assert.True(File.Exists(deadFresh), "a writer in another PID namespace may still own it");
        Assert.True(File.Exists(liveOld), "its writer is alive");
        Assert.True(File.Exists(cacheFile), "only *.tmp files are leftovers");
    }

    [Fact]
    public void A_dead_builds_folder_is_swept_by_its_newest_file_and_a_running_build_is_kept()
    {
        string guid = Guid.NewGuid().ToString("N");
        string deadBuild = Path.Combine(dir, $".building-embedded-llama-v1-abc-{DeadPid()}-{guid}");
        string liveBuild = Path.Combine(dir, $".building-embedded-llama-v1-abc-{Environment.ProcessId}-{guid}");
        string finished = Path.Combine(dir, "embedded-llama-v1-abc");
        foreach (var d in new[] { deadBuild, liveBuild, finished })
        {
            Directory.CreateDirectory(Path.Combine(d, "model"));
            string f = Path.Combine(d, "model", "config.json");
            File.WriteAllText(f, "{}");
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow - TimeSpan.FromMinutes(20));
            Directory.SetLastWriteTimeUtc(Path.Combine(d, "model"), DateTime.UtcNow - TimeSpan.FromMinutes(20));
            Directory.SetLastWriteTimeUtc(d, DateTime.UtcNow - TimeSpan.FromMinutes(20));
        }

        Assert.Equal(1, StaleLeftovers.SweepBuildFolders(dir, DateTime.UtcNow));

        Assert.False(Directory.Exists(deadBuild));
        Assert.True(Directory.Exists(liveBuild));
        Assert.True(Directory.Exists(finished));
    }

    [Fact]
    public void A_dead_builds_folder_with_a_recently_written_file_inside_is_kept()
    {
        string build = Path.Combine(dir, $".building-embedded-llama-v1-abc-{DeadPid()}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(build, "model"));
        File.WriteAllText(Path.Combine(build, "model", "model.safetensors"), "recent");
        Directory.SetLastWriteTimeUtc(build, DateTime.UtcNow - TimeSpan.FromHours(3));

        Assert.Equal(0, StaleLeftovers.SweepBuildFolders(dir, DateTime.UtcNow));
        Assert.True(Directory.Exists(build));
    }
}

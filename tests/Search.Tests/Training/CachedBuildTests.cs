using System.Diagnostics;
using Search.Training;

namespace Search.Tests.Training;

public sealed class CachedBuildTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cached-build-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task Given_three_concurrent_builders_of_one_folder_When_racing_Then_one_builds_and_the_others_wait_and_reuse_it()
    {
        string folder = Path.Combine(root, "model-abc");
        int builds = 0;
        var waited = new List<string>();
        void Build(string temp)
        {
            Interlocked.Increment(ref builds);
            Directory.CreateDirectory(temp);
            Thread.Sleep(700); // long enough that every other builder arrives while this one holds the lock
            File.WriteAllText(Path.Combine(temp, "weights"), "built once");
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            CachedBuild.Ensure(folder, Build, msg => { lock (waited) waited.Add(msg); }))));

        Assert.Equal(1, builds);
        Assert.Equal(1, results.Count(built => built));
        Assert.Equal("built once", File.ReadAllText(Path.Combine(folder, "weights")));
        Assert.Contains(waited, m => m.StartsWith("waiting for another process", StringComparison.Ordinal));
        Assert.Equal([folder], Directory.GetDirectories(root)); // no temporary build folder left behind
    }

    [Fact]
    public void Given_a_build_that_fails_When_ensuring_again_Then_nothing_half_built_remains_and_the_next_call_builds()
    {
        string folder = Path.Combine(root, "model-fails-once");
        Assert.Throws<InvalidOperationException>(() => CachedBuild.Ensure(folder, temp =>
        {
            Directory.CreateDirectory(temp);
            File.WriteAllText(Path.Combine(temp, "partial"), "x");
            throw new InvalidOperationException("training diverged");
        }));
        Assert.Empty(Directory.GetDirectories(root));

        Assert.True(CachedBuild.Ensure(folder, temp => Directory.CreateDirectory(temp)));
        Assert.True(Directory.Exists(folder));
        Assert.False(CachedBuild.Ensure(folder, _ => throw new InvalidOperationException("must not rebuild a complete folder")));
    }

    [Fact]
    public async Task Given_a_lock_held_by_a_process_that_died_When_acquiring_Then_it_is_free_at_once()
    {
        // flock is released by the kernel when its holder exits, however it exits: a killed builder never blocks the others.
        string lockFile = CachedBuild.LockFileOf(Path.Combine(root, "model-x"));
        using (BuildLock.Acquire(lockFile)) { }
        // util-linux flock(1) takes the same flock(2) lock; `sleep` inherits the descriptor, so kill the whole tree.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", lockFile, "sleep", "30"]))!;
        try
        {
            Thread.Sleep(300);
            var waiting = Task.Run(() => { using var l = BuildLock.Acquire(lockFile); });
            Assert.NotSame(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1)))); // held by the other process
            holder.Kill(entireProcessTree: true);
            Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)))); // freed when its holder died
        }
        finally
        {
            if (!holder.HasExited) holder.Kill(entireProcessTree: true);
        }
    }
}

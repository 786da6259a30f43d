using System.Buffers.Binary;
using System.Text.Json;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Tests.Cli;

/// <summary>
/// Caches that cannot lie, through the real executable: same-size corruption of a token-cache or a
/// statistics-cache file is caught by its checksum and rebuilt with the numbers of an uncorrupted
/// run; a cache that cannot be written (a full disk, folders blocked) costs one warning line and
/// nothing else; leftovers of killed runs are swept when the cache is next used.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CacheIntegrityTests : IDisposable
{
    // Small enough to run in seconds, large enough that both caches hold real data.
    private static readonly string[] Prune =
        ["prune", "--calib", "synthetic:train:64x64:seed0", "--eval", "synthetic:valid:64:32", "--json", "--threads", "2"];

    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-cache-").FullName;

    public void Dispose()
    {
        Tmpfs.UnmountUnder(dir);
        Directory.Delete(dir, recursive: true);
    }

    private static (double Dense, double Pruned, bool FromCache) Numbers(CliRun run)
    {
        var json = run.Json();
        return (json.GetProperty("dense_ppl").GetDouble(), json.GetProperty("pruned_ppl").GetDouble(),
            json.GetProperty("stats_from_cache").GetBoolean());
    }

    [Fact]
    public void Same_size_corruption_of_a_token_cache_file_and_of_a_statistics_file_is_detected_and_rebuilt_with_the_uncorrupted_numbers()
    {
        var cache = new CacheSandbox(Path.Combine(dir, "cache"));
        var clean = Numbers(cache.Run(dir, Prune));
        Assert.False(clean.FromCache);
        var tokenFiles = CacheSandbox.Files(cache.Tokens, "*.i32");
        var statsFiles = CacheSandbox.Files(cache.Stats, "*.pswstats");
        Assert.NotEmpty(tokenFiles);
        Assert.Single(statsFiles);
        var originals = tokenFiles.Concat(statsFiles).ToDictionary(f => f, File.ReadAllBytes);
        Assert.True(Numbers(cache.Run(dir, Prune)).FromCache, "the second run must read the cache, or corrupting it proves nothing");

        // Token ids: 16 ids become another id of the vocabulary (64 bytes, same size, plausible), in the
        // middle of what the run reads (the evaluation windows are the first 32×64 ids of valid).
        foreach (var f in tokenFiles) Rewrite(f, 8 + 4 * 1000, (bytes, at) =>
        {
            for (int i = 0; i < 16; i++)
            {
                var span = bytes.AsSpan(at + 4 * i, 4);
                BinaryPrimitives.WriteInt32LittleEndian(span, BinaryPrimitives.ReadInt32LittleEndian(span) == 7 ? 8 : 7);
            }
        });
        var afterTokens = Numbers(cache.Run(dir, Prune));
        Assert.Equal((clean.Dense, clean.Pruned), (afterTokens.Dense, afterTokens.Pruned));
        foreach (var f in tokenFiles) Assert.Equal(originals[f], File.ReadAllBytes(f));

        // Statistics: 64 bytes of float64 sums in the middle with every bit flipped.
        foreach (var f in statsFiles) Rewrite(f, File.ReadAllBytes(f).Length / 2 / 8 * 8, (bytes, at) =>
        {
            for (int i = 0; i < 64; i++) bytes[at + i] ^= 0xFF;
        });
        var afterStats = Numbers(cache.Run(dir, Prune));
        Assert.False(afterStats.FromCache, "a corrupted statistics file must be recomputed, not read");
        Assert.Equal((clean.Dense, clean.Pruned), (afterStats.Dense, afterStats.Pruned));
        foreach (var f in statsFiles) Assert.Equal(originals[f], File.ReadAllBytes(f));
    }

    /// <summary>Changes bytes of a file in place at <paramref name="at"/> (aligned so ids and doubles are hit whole).</summary>
    private static void Rewrite(string path, int at, Action<byte[], int> rewrite)
    {
        var bytes = File.ReadAllBytes(path);
        var before = (byte[])bytes.Clone();
        rewrite(bytes, at);
        Assert.NotEqual(before, bytes);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Given_cache_folders_that_cannot_be_created_When_pruning_and_searching_Then_the_numbers_are_identical_with_one_warning_and_a_writable_rerun_fills_the_cache()
    {
        string blocked = Path.Combine(dir, "blocked");
        var cache = new CacheSandbox(blocked);
        // A plain file where each cache folder belongs: creating the folder fails for every user, root included.
        foreach (var kind in new[] { cache.Stats, cache.Tokens, cache.Hashes }) File.WriteAllText(kind, "in the way");
        UnwritableRunMatchesWritableRun(cache, unblock: () =>
        {
            foreach (var kind in new[] { cache.Stats, cache.Tokens, cache.Hashes }) File.Delete(kind);
        });
    }

    [TmpfsFact]
    public void Given_a_full_cache_disk_When_pruning_and_searching_Then_the_numbers_are_identical_with_one_warning_and_a_rerun_with_space_fills_the_cache()
    {
        string mount = Path.Combine(dir, "full");
        Tmpfs.Mount(mount, sizeKb: 4096);
        var cache = new CacheSandbox(mount);
        string filler = Path.Combine(mount, "filler");
        Tmpfs.Fill(filler);
        UnwritableRunMatchesWritableRun(cache, unblock: () => File.Delete(filler));
    }

    private void UnwritableRunMatchesWritableRun(CacheSandbox unwritable, Action unblock)
    {
        var writable = new CacheSandbox(Path.Combine(dir, "writable"));
        string[] search = ["search", "--space", CliRunner.Space("quick.json"), "--study", "s", "--trials", "6", "--proxy-windows", "4",
            "--finalists", "1", "--pool-size", "128", "--threads", "2"];

        var pruneOk = writable.Run(dir, Prune);
        var searchOk = writable.Run(dir, [.. search, "--db", Path.Combine(dir, "writable.db")]);
        Assert.True(searchOk.ExitCode == 0, searchOk.Error);

        var pruneFull = unwritable.Run(dir, Prune);
        Assert.Equal(Numbers(pruneOk), Numbers(pruneFull));
        AssertOneCacheWarning(pruneFull.Error);
        var searchFull = unwritable.Run(dir, [.. search, "--db", Path.Combine(dir, "unwritable.db")]);
        Assert.True(searchFull.ExitCode == 0, searchFull.Error);
        AssertOneCacheWarning(searchFull.Error);
        Assert.Equal(Store(Path.Combine(dir, "writable.db")), Store(Path.Combine(dir, "unwritable.db")));
        Assert.Empty(CacheSandbox.Files(unwritable.Stats, "*.pswstats"));

        unblock();
        var rerun = unwritable.Run(dir, Prune);
        Assert.Equal(Numbers(pruneOk), Numbers(rerun));
        Assert.Equal("", rerun.Error);
        Assert.Single(CacheSandbox.Files(unwritable.Stats, "*.pswstats"));
        Assert.NotEmpty(CacheSandbox.Files(unwritable.Tokens, "*.i32"));
        Assert.NotEmpty(CacheSandbox.Files(unwritable.Hashes, "*.json"));
    }

    private static void AssertOneCacheWarning(string stderr)
    {
        var lines = stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one warning line, got:\n{stderr}");
        Assert.StartsWith("warning: cannot write the cache", lines[0]);
    }

    /// <summary>Every trial's number, state, params, proxy value and final scores (without their timing).</summary>
    private static List<string> Store(string db)
    {
        using var storage = new LiteDbStorage(db);
        return storage.GetTrials("s").Select(t =>
        {
            var final = AttrJson.Deserialize<FinalScores>(t.UserAttr(TrialAttrs.Final));
            return $"{t.Number}:{t.State}:{string.Join(";", t.Params.Select(kv => $"{kv.Key}={kv.Value}"))}:{t.Value:R}:" +
                   $"{final?.SearchPpl:R}/{final?.TestPpl:R}:{t.UserAttr(TrialAttrs.SeedSpread)}";
        }).ToList();
    }

    [Fact]
    public void Leftovers_of_killed_runs_are_swept_when_the_cache_is_next_used_and_a_live_writers_temp_file_is_kept()
    {
        var cache = new CacheSandbox(Path.Combine(dir, "cache"));
        int dead = Search.Tests.Model.StaleLeftoversTests.DeadPid();
        string guid = Guid.NewGuid().ToString("N");
        var old = DateTime.UtcNow - TimeSpan.FromMinutes(20);
        string build = Path.Combine(cache.Root, $".building-embedded-llama-v1-0123456789ab-{dead}-{guid}");
        Directory.CreateDirectory(Path.Combine(build, "data"));
        File.WriteAllText(Path.Combine(build, "data", "train.txt"), "half a corpus");
        File.SetLastWriteTimeUtc(Path.Combine(build, "data", "train.txt"), old);
        Directory.SetLastWriteTimeUtc(Path.Combine(build, "data"), old);
        Directory.SetLastWriteTimeUtc(build, old);
        string Temp(string folder, string name, DateTime when)
        {
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, "partial");
            File.SetLastWriteTimeUtc(path, when);
            return path;
        }
        var stale = new[]
        {
            Temp(cache.Stats, $"0123.pswstats.{dead}.{guid}.tmp", old),
            Temp(cache.Tokens, $"abcd-0123.i32.{dead}.{guid}.tmp", old),
            Temp(cache.Hashes, $"0123.json.{dead}.tmp", old),
        };
        string live = Temp(cache.Stats, $"4567.pswstats.{Environment.ProcessId}.{guid}.tmp", DateTime.UtcNow);

        var run = cache.Run(dir, Prune);
        Assert.True(run.ExitCode == 0, run.Error);

        Assert.False(Directory.Exists(build), "the half-built embedded folder of a dead build");
        Assert.All(stale, f => Assert.False(File.Exists(f), f));
        Assert.True(File.Exists(live), "a temp file whose writer (this test process) is alive");
    }
}

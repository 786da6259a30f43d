using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Search.Model;
using Search.Data;
using Search.Pruning.Statistics;

namespace Search.Objective;

/// <summary>
/// Calibration prefix sums on disk, so a second process (another <c>prune</c>, another study) on
/// the same model and pool starts scoring at once instead of re-running the dense pass. An entry is
/// keyed by the model's content hash, the pool key, the BOS convention, the dtype the pass ran in and
/// a hash of the window ids themselves — so a different data folder behind the same dataset name
/// can never be served someone else's statistics; the identity is also stored inside the payload and
/// checked on read. An entry holds the pool's first <see cref="CalibrationStatistics.Extent"/> windows
/// (lazy pools): a request for more extends it with a pass over the missing windows and rewrites it.
/// Format-3 files (whole pools, no key) are still read. Files carry a SHA-256 of their payload
/// (<see cref="Checksummed"/>): a damaged, truncated or mismatching file is treated as absent and
/// rebuilt. A write that fails (disk full, read-only cache) costs only the reuse: the run goes on
/// with the statistics in memory, after one warning on stderr per process (<see cref="CacheWrites"/>).
/// Temp files of killed writes are swept on first use (<see cref="StaleLeftovers"/>).
/// </summary>
public sealed class CalibrationStatsCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary><c>stats/</c> under the cache root (<see cref="CacheFolders"/>).</summary>
    public static string DefaultDirectory() => CacheFolders.For("stats");

    public static CalibrationStatsCache OpenDefault() => new(DefaultDirectory());

    /// <summary>
    /// The statistics of <paramref name="windows"/> under <paramref name="dense"/>: read from the cache
    /// when a valid entry exists, else collected (one dense pass) and stored. <paramref name="fromCache"/>
    /// says which happened.
    /// </summary>
    public CalibrationStatistics GetOrCollect(Transformer dense, string modelHash, PoolSpec pool, BosMode bos,
        CalibrationWindows windows, int batchSize, out bool fromCache, Action<int>? progress = null) =>
        GetOrCollect(dense, modelHash, pool, bos, windows, batchSize, windows.Count, out fromCache, progress);

    /// <summary>
    /// The statistics of at least the pool's first <paramref name="extent"/> windows (a rung): the cached
    /// entry when it covers them; a cached entry that covers fewer is extended by a pass over the missing
    /// windows only; with no entry, a pass over the first <paramref name="extent"/>. What was collected is
    /// stored. <paramref name="fromCache"/> is true when no dense pass ran.
    /// </summary>
    public CalibrationStatistics GetOrCollect(Transformer dense, string modelHash, PoolSpec pool, BosMode bos,
        CalibrationWindows windows, int batchSize, int extent, out bool fromCache, Action<int>? progress = null)
    {
        StaleLeftovers.SweepTemporariesOnce(Directory);
        var (path, identity) = Entry(modelHash, pool, bos, DtypeOf(dense), windows);
        var stats = TryRead(path, identity, dense.Config, windows);
        fromCache = stats is not null && stats.Extent >= extent;
        if (fromCache) return stats!;
        bool unreadable = stats is null; // absent, damaged or foreign: overwrite whatever its header claims
        if (stats is null)
            stats = CalibrationStatistics.CollectPrefix(dense, windows.Ids, windows.Count, windows.SeqLen, batchSize, extent, progress);
        else
            stats.Extend(dense, windows.Ids, extent, batchSize, progress);
        Store(path, identity, stats, overwrite: unreadable);
        return stats;
    }

    /// <summary>
    /// Extends <paramref name="stats"/> (this pool's, from <see cref="GetOrCollect(Transformer, string, PoolSpec, BosMode, CalibrationWindows, int, int, out bool, Action{int}?)"/>)
    /// to the first <paramref name="extent"/> windows with a pass over the new windows only, and stores
    /// the result; false (and no pass) when they already cover them.
    /// </summary>
    public bool Extend(CalibrationStatistics stats, Transformer dense, string modelHash, PoolSpec pool, BosMode bos,
        CalibrationWindows windows, int extent, int batchSize, Action<int>? progress = null)
    {
        if (stats.Extent >= extent) return false;
        stats.Extend(dense, windows.Ids, extent, batchSize, progress);
        var (path, identity) = Entry(modelHash, pool, bos, DtypeOf(dense), windows);
        Store(path, identity, stats, overwrite: false);
        return true;
    }

    /// <summary>The cache file of one (model, pool, BOS, dtype, window ids) combination.</summary>
    public string PathFor(string modelHash, PoolSpec pool, BosMode bos, string dtype, CalibrationWindows windows) =>
        Entry(modelHash, pool, bos, dtype, windows).Path;

    private static string DtypeOf(Transformer dense) => Search.Model.Checkpoints.Checkpoint.DtypeName(dense.DType);

    /// <summary>The file and the identity it is stored under (kept inside the checksummed payload, so a file under the wrong name is not served).</summary>
    private (string Path, string Identity) Entry(string modelHash, PoolSpec pool, BosMode bos, string dtype, CalibrationWindows windows)
    {
        var idsHash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(windows.Ids.AsSpan())));
        var identity = $"model={modelHash}\npool={pool.Key}\nbos={BosModes.Name(bos)}\ndtype={dtype}\nids={idsHash}";
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
        return (Path.Combine(Directory, $"{key}.pswstats"), identity);
    }

    /// <summary>
    /// Writes the entry unless the file on disk already covers at least as many windows (another
    /// process extended the same pool further).
    /// </summary>
    private void Store(string path, string identity, CalibrationStatistics stats, bool overwrite)
    {
        if (!overwrite && ExtentOnDisk(path) is int onDisk && onDisk >= stats.Extent) return;
        CacheWrites.TryWrite(Directory, () => Checksummed.Write(path, stream => stats.Save(stream, identity)));
    }

    private static int? ExtentOnDisk(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            return CalibrationStatistics.PeekExtent(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static CalibrationStatistics? TryRead(string path, string identity, ModelConfig config, CalibrationWindows windows)
    {
        var stats = Checksummed.TryRead(path, CalibrationStatistics.Load);
        if (stats is null || stats.Windows != windows.Count || stats.SeqLen != windows.SeqLen) return null;
        // Format 3 files carry no key: their name (a hash of the identity) is all there is to go by.
        if (stats.StoredKey is not null && stats.StoredKey != identity) return null;
        try
        {
            stats.EnsureMatches(config);
            return stats;
        }
        catch (UserInputException)
        {
            return null; // for other widths: rebuild rather than fail the run
        }
    }
}

using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Search.Model;
using Search.Data;

namespace Search.Pruning.Statistics;

/// <summary>
/// Calibration prefix sums on disk, so a second process (another <c>prune</c>, another study) on
/// the same model and pool starts scoring at once instead of re-running the dense pass. An entry is
/// keyed by the model's content hash, the pool key, the BOS convention, the dtype the pass ran in and
/// a hash of the window ids themselves — so a different data folder behind the same dataset name
/// can never be served someone else's statistics. Files carry a SHA-256 of their payload
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
        CalibrationWindows windows, int batchSize, out bool fromCache, Action<int>? progress = null)
    {
        StaleLeftovers.SweepTemporariesOnce(Directory);
        var path = PathFor(modelHash, pool, bos, Search.Model.Checkpoints.Checkpoint.DtypeName(dense.DType), windows);
        if (TryRead(path, dense.Config, windows) is { } cached)
        {
            fromCache = true;
            return cached;
        }
        var stats = CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, windows.SeqLen, batchSize, progress);
        CacheWrites.TryWrite(Directory, () => Checksummed.Write(path, stats.Save));
        fromCache = false;
        return stats;
    }

    /// <summary>The cache file of one (model, pool, BOS, dtype, window ids) combination.</summary>
    public string PathFor(string modelHash, PoolSpec pool, BosMode bos, string dtype, CalibrationWindows windows)
    {
        var idsHash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(windows.Ids.AsSpan())));
        var identity = $"model={modelHash}\npool={pool.Key}\nbos={BosModes.Name(bos)}\ndtype={dtype}\nids={idsHash}";
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
        return Path.Combine(Directory, $"{key}.pswstats");
    }

    private static CalibrationStatistics? TryRead(string path, ModelConfig config, CalibrationWindows windows)
    {
        var stats = Checksummed.TryRead(path, CalibrationStatistics.Load);
        if (stats is null || stats.Windows != windows.Count || stats.SeqLen != windows.SeqLen) return null;
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

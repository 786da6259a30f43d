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
/// can never be served someone else's statistics. That key names the file and is also the start of
/// its payload, which carries a SHA-256 (<see cref="Checksummed"/>): a damaged, truncated or
/// mismatching file, or a valid one of another key (swapped by hand), is treated as absent and rebuilt. A write that fails (disk full, read-only cache) costs only the reuse: the run goes on
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
        var identity = Identity(modelHash, pool, bos, Search.Model.Checkpoints.Checkpoint.DtypeName(dense.DType), windows);
        var path = PathOf(identity);
        if (TryRead(path, identity, dense.Config, windows) is { } cached)
        {
            fromCache = true;
            return cached;
        }
        var stats = CalibrationStatistics.Collect(dense, windows.Ids, windows.Count, windows.SeqLen, batchSize, progress);
        CacheWrites.TryWrite(Directory, () => Checksummed.Write(path, stream =>
        {
            WriteIdentity(stream, identity);
            stats.Save(stream);
        }));
        fromCache = false;
        return stats;
    }

    /// <summary>The cache file of one (model, pool, BOS, dtype, window ids) combination.</summary>
    public string PathFor(string modelHash, PoolSpec pool, BosMode bos, string dtype, CalibrationWindows windows) =>
        PathOf(Identity(modelHash, pool, bos, dtype, windows));

    /// <summary>What an entry is for: its file name is a hash of this, and its checksummed payload starts with it.</summary>
    private static string Identity(string modelHash, PoolSpec pool, BosMode bos, string dtype, CalibrationWindows windows)
    {
        var idsHash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(windows.Ids.AsSpan())));
        return $"model={modelHash}\npool={pool.Key}\nbos={BosModes.Name(bos)}\ndtype={dtype}\nids={idsHash}";
    }

    private string PathOf(string identity)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
        return Path.Combine(Directory, $"{key}.pswstats");
    }

    /// <summary>
    /// Null (rebuild) for an absent, damaged or stale entry, and for a valid entry of another key — a
    /// file renamed or copied over another by hand: the checksum proves the bytes, the identity in the
    /// payload proves what they are for.
    /// </summary>
    private static CalibrationStatistics? TryRead(string path, string identity, ModelConfig config, CalibrationWindows windows)
    {
        var entry = Checksummed.TryRead(path, stream => new Entry(ReadIdentity(stream), CalibrationStatistics.Load(stream)));
        if (entry is null) return null;
        if (entry.Identity != identity)
        {
            Console.Error.WriteLine($"warning: {path} holds calibration statistics of another entry (renamed or copied by hand?); recomputing them");
            return null;
        }
        var stats = entry.Stats;
        if (stats.Windows != windows.Count || stats.SeqLen != windows.SeqLen) return null;
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

    private sealed record Entry(string Identity, CalibrationStatistics Stats);

    private static readonly byte[] IdentityMagic = "PSWSKEY1"u8.ToArray();

    private static void WriteIdentity(Stream stream, string identity)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(IdentityMagic);
        w.Write(identity);
    }

    /// <summary>An entry written before identities were stored (no magic) is a foreign stream: rebuilt once.</summary>
    private static string ReadIdentity(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (!r.ReadBytes(IdentityMagic.Length).AsSpan().SequenceEqual(IdentityMagic))
            throw new InvalidDataException("not a keyed calibration statistics entry");
        return r.ReadString();
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Search.Model.Checkpoints;

/// <summary>
/// The content hash of a checkpoint folder: SHA-256 over config.json and every weight file
/// (<c>*.safetensors</c>, in name order, each preceded by its name and length), read in full. It keys
/// studies and the calibration-statistics cache, so it must change whenever any weight byte
/// changes — a sampled fingerprint could miss an edit. Hashing a 27 GB checkpoint takes tens of
/// seconds, so the result is memoized under the cache root keyed by each file's path, size and
/// modification time: a file rewritten in place with the same size and mtime would be missed,
/// which no tool that writes weights does.
/// </summary>
public static class CheckpointHash
{
    private const int Chunk = 4 << 20;

    public static string Of(string dir)
    {
        var files = HashedFiles(dir);
        var stamp = string.Join("\n", files.Select(f =>
        {
            var info = new FileInfo(f);
            return $"{Path.GetFullPath(f)}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}";
        }));
        string memo = MemoPath(stamp);
        if (TryReadMemo(memo, stamp) is { } known) return known;
        string hash = Compute(files);
        WriteMemo(memo, stamp, hash);
        return hash;
    }

    /// <summary>config.json, then the weight files by ordinal name.</summary>
    private static List<string> HashedFiles(string dir)
    {
        string config = Path.Combine(dir, "config.json");
        if (!File.Exists(config)) throw new UserInputException($"{dir}: config.json not found");
        return [config, .. Directory.GetFiles(dir, "*.safetensors").OrderBy(Path.GetFileName, StringComparer.Ordinal)];
    }

    private static string Compute(IReadOnlyList<string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Chunk];
        foreach (var file in files)
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            sha.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}:{fs.Length}\n"));
            int read;
            while ((read = fs.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static string MemoPath(string stamp) =>
        Path.Combine(CacheFolders.For("hashes"), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stamp)))[..32] + ".json");

    private sealed record Memo(string Stamp, string Hash);

    /// <summary>
    /// The memoized hash, or null. Memos are checksummed (<see cref="Checksummed"/>): a flipped hex
    /// digit would otherwise key studies and statistics under another model's hash.
    /// </summary>
    private static string? TryReadMemo(string path, string stamp)
    {
        StaleLeftovers.SweepTemporariesOnce(Path.GetDirectoryName(path)!);
        try
        {
            string? text = Checksummed.TryRead(path, stream =>
            {
                using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                return reader.ReadToEnd();
            });
            var memo = text is null ? null : JsonSerializer.Deserialize<Memo>(text);
            return memo?.Stamp == stamp && memo.Hash?.Length == 16 ? memo.Hash : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Best effort: a cache folder that cannot be written only costs a re-hash next time (one warning per process).</summary>
    private static void WriteMemo(string path, string stamp, string hash) =>
        CacheWrites.TryWrite(Path.GetDirectoryName(path)!, () =>
            Checksummed.Write(path, stream => stream.Write(JsonSerializer.SerializeToUtf8Bytes(new Memo(stamp, hash)))));
}

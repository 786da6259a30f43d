using Search.Model;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Search.Model.Tokenizers;

namespace Search.Data;

/// <summary>
/// Token ids of a corpus, cached on disk per (tokenizer fingerprint, sha256 of the text) so a 1 MB corpus
/// is encoded once, not once per run. File format, all little-endian int32: a magic word, the id count,
/// then the ids; then the SHA-256 of those bytes (<see cref="Checksummed"/>). A file whose digest,
/// length or magic disagrees (a flipped byte of the same size included), or with ids outside the
/// vocabulary, is treated as absent and rebuilt; writes go to a temp file renamed into place, so
/// concurrent runs never see a half-written cache. A write that fails (disk full, read-only) warns
/// once (<see cref="CacheWrites"/>) and the ids are used from memory. Stale temp files of killed
/// runs are swept on first use (<see cref="StaleLeftovers"/>).
/// </summary>
public sealed class TokenCache(string directory)
{
    // "PSK2": the checksummed format (the unchecksummed "PSTK" files of earlier versions read as absent).
    private const int Magic = 0x324B5350;
    private const int HeaderBytes = 8;

    public string Directory { get; } = directory;

    /// <summary><c>tokens/</c> under the cache root (<see cref="CacheFolders"/>).</summary>
    public static string DefaultDirectory() => CacheFolders.For("tokens");

    public static TokenCache OpenDefault() => new(DefaultDirectory());

    /// <summary>The ids of <paramref name="text"/> (no BOS), from the cache when present, else encoded and stored.</summary>
    public int[] GetOrEncode(ITextTokenizer tokenizer, string text)
    {
        StaleLeftovers.SweepTemporariesOnce(Directory);
        var path = PathFor(tokenizer.Fingerprint, text);
        if (TryRead(path, tokenizer.VocabSize) is { } cached) return cached;

        var ids = tokenizer.Encode(text);
        CacheWrites.TryWrite(Directory, () => Checksummed.Write(path, stream => WritePayload(stream, ids)));
        return ids;
    }

    /// <summary>The cache file for a (fingerprint, text) pair; both are hashed so any fingerprint makes a valid file name.</summary>
    public string PathFor(string tokenizerFingerprint, string text)
    {
        var tokenizerKey = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(tokenizerFingerprint)))[..16];
        var textKey = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return Path.Combine(Directory, $"{tokenizerKey}-{textKey}.i32");
    }

    private static int[]? TryRead(string path, int vocabSize)
    {
        var ids = Checksummed.TryRead(path, ReadPayload);
        if (ids is null) return null;
        foreach (var id in ids)
            if ((uint)id >= (uint)vocabSize) return null;
        return ids;
    }

    /// <summary>Reads the whole payload (the stream ends where the digest starts), then checks magic and count against its length.</summary>
    private static int[] ReadPayload(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException("not a token cache file");
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (count < 0 || bytes.Length != HeaderBytes + 4L * count) throw new InvalidDataException("token count disagrees with the file length");
        var ids = new int[count];
        for (var i = 0; i < count; i++) ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(HeaderBytes + 4 * i)..]);
        return ids;
    }

    private static void WritePayload(Stream stream, int[] ids)
    {
        var bytes = new byte[HeaderBytes + 4L * ids.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), ids.Length);
        for (var i = 0; i < ids.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderBytes + 4 * i), ids[i]);
        stream.Write(bytes);
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}

using Search.Model;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Search.Model.Tokenizers;

namespace Search.Data;

/// <summary>
/// Token ids of a corpus, cached on disk per (tokenizer fingerprint, sha256 of the text) so a 1 MB corpus
/// is encoded once, not once per run. File format, all little-endian int32: a magic word, the id count,
/// then the ids. A file whose length disagrees with its count (or with ids outside the vocabulary) is
/// treated as absent and rebuilt; writes go to a temp file renamed into place, so concurrent runs never
/// see a half-written cache.
/// </summary>
public sealed class TokenCache(string directory)
{
    private const int Magic = 0x4B545350; // "PSTK" in little-endian bytes
    private const int HeaderBytes = 8;

    public string Directory { get; } = directory;

    /// <summary><c>tokens/</c> under the cache root (<see cref="CacheFolders"/>).</summary>
    public static string DefaultDirectory() => CacheFolders.For("tokens");

    public static TokenCache OpenDefault() => new(DefaultDirectory());

    /// <summary>The ids of <paramref name="text"/> (no BOS), from the cache when present, else encoded and stored.</summary>
    public int[] GetOrEncode(ITextTokenizer tokenizer, string text)
    {
        var path = PathFor(tokenizer.Fingerprint, text);
        if (TryRead(path, tokenizer.VocabSize) is { } cached) return cached;

        var ids = tokenizer.Encode(text);
        Write(path, ids);
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
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic) return null;
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (count < 0 || bytes.Length != HeaderBytes + 4L * count) return null;

        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(HeaderBytes + 4 * i));
            if ((uint)ids[i] >= (uint)vocabSize) return null;
        }
        return ids;
    }

    private void Write(string path, int[] ids)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var bytes = new byte[HeaderBytes + 4L * ids.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), ids.Length);
        for (var i = 0; i < ids.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderBytes + 4 * i), ids[i]);

        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}

using System.Security.Cryptography;

namespace Search.Model;

/// <summary>
/// Cache files that cannot lie: the payload is followed by its SHA-256, and a reader that finds a
/// different digest treats the file as absent (it is rebuilt). A flipped byte of the same size is
/// caught, not just truncation.
/// </summary>
public static class Checksummed
{
    private const int DigestBytes = 32;

    /// <summary>Writes <paramref name="writePayload"/>'s bytes to <paramref name="path"/> atomically (temp file + rename), then the digest.</summary>
    public static void Write(string path, Action<Stream> writePayload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                using var hashing = new HashingStream(file);
                writePayload(hashing);
                file.Write(hashing.Digest());
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/>'s payload with <paramref name="readPayload"/> (which must consume it
    /// exactly) and checks the digest; null when the file is absent, short or its digest differs.
    /// </summary>
    public static T? TryRead<T>(string path, Func<Stream, T> readPayload) where T : class
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            if (file.Length < DigestBytes) return null;
            using var hashing = new HashingStream(file, limit: file.Length - DigestBytes);
            var value = readPayload(hashing);
            if (hashing.Position != file.Length - DigestBytes) return null;
            var stored = new byte[DigestBytes];
            file.ReadExactly(stored);
            return stored.AsSpan().SequenceEqual(hashing.Digest()) ? value : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Passes bytes through to <paramref name="inner"/> (up to <paramref name="limit"/> when reading) and hashes them.</summary>
    private sealed class HashingStream(Stream inner, long limit = long.MaxValue) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long position;

        public byte[] Digest() => hash.GetHashAndReset();

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - position)]);
            hash.AppendData(buffer[..n]);
            position += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            hash.AppendData(buffer);
            position += buffer.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) hash.Dispose();
            base.Dispose(disposing);
        }
    }
}

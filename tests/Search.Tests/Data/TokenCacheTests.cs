using Search.Data;

namespace Search.Tests.Data;

public sealed class TokenCacheTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Given_a_cached_corpus_When_asked_again_Then_the_ids_are_read_without_calling_the_tokenizer()
    {
        var cache = new TokenCache(Path.Combine(_temp.Path, "tokens"));
        var tokenizer = new CharTokenizer();

        var first = cache.GetOrEncode(tokenizer, "hello world");
        var second = cache.GetOrEncode(tokenizer, "hello world");

        Assert.Equal(1, tokenizer.EncodeCalls);
        Assert.Equal(first, second);
        Assert.Equal(tokenizer.Encode("hello world"), second);
    }

    [Fact]
    public void Given_a_different_text_or_tokenizer_When_asked_Then_it_is_encoded_anew()
    {
        var cache = new TokenCache(_temp.Path);
        var tokenizer = new CharTokenizer("a");
        var other = new CharTokenizer("b");

        cache.GetOrEncode(tokenizer, "one");
        cache.GetOrEncode(tokenizer, "two");
        cache.GetOrEncode(other, "one");

        Assert.Equal(2, tokenizer.EncodeCalls);
        Assert.Equal(1, other.EncodeCalls);
    }

    [Fact]
    public void Given_the_cache_file_When_inspected_Then_it_is_little_endian_int32_magic_count_ids_then_their_sha256_and_no_temp_files_remain()
    {
        var cache = new TokenCache(_temp.Path);
        var tokenizer = new CharTokenizer();

        cache.GetOrEncode(tokenizer, "ab");

        var bytes = File.ReadAllBytes(cache.PathFor(tokenizer.Fingerprint, "ab"));
        byte[] payload = [0x50, 0x53, 0x4B, 0x32, 2, 0, 0, 0, (byte)('a' + 3), 0, 0, 0, (byte)('b' + 3), 0, 0, 0];
        Assert.Equal([.. payload, .. System.Security.Cryptography.SHA256.HashData(payload)], bytes);
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Given_a_cache_file_with_valid_looking_ids_changed_in_place_When_asked_Then_the_checksum_catches_it_and_it_is_rebuilt()
    {
        var cache = new TokenCache(_temp.Path);
        var tokenizer = new CharTokenizer();
        string text = new('q', 200);
        var expected = cache.GetOrEncode(tokenizer, text);
        var path = cache.PathFor(tokenizer.Fingerprint, text);
        var original = File.ReadAllBytes(path);
        var corrupted = (byte[])original.Clone();
        // 16 ids in the middle become another id inside the vocabulary: same size, right count, plausible content.
        for (int i = 0; i < 16; i++) corrupted[8 + 4 * (80 + i)] = (byte)('r' + 3);
        File.WriteAllBytes(path, corrupted);

        var rebuilt = cache.GetOrEncode(tokenizer, text);

        Assert.Equal(expected, rebuilt);
        Assert.Equal(2, tokenizer.EncodeCalls);
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void Given_a_cache_folder_that_cannot_be_written_When_encoding_Then_the_ids_come_back_anyway()
    {
        // A file where the folder should be: creating it fails for any user, root included.
        string blocked = Path.Combine(_temp.Path, "blocked");
        File.WriteAllText(blocked, "not a folder");
        var cache = new TokenCache(blocked);
        var tokenizer = new CharTokenizer();

        var first = cache.GetOrEncode(tokenizer, "abc");
        var second = cache.GetOrEncode(tokenizer, "abc");

        Assert.Equal(new CharTokenizer().Encode("abc"), first);
        Assert.Equal(first, second);
        Assert.Equal(2, tokenizer.EncodeCalls); // nothing cached: encoded each time, never failed
        Assert.True(File.Exists(blocked));
    }

    [Fact]
    public void Given_a_truncated_cache_file_When_asked_Then_it_is_ignored_and_rebuilt()
    {
        var cache = new TokenCache(_temp.Path);
        var tokenizer = new CharTokenizer();
        var expected = cache.GetOrEncode(tokenizer, "some corpus");
        var path = cache.PathFor(tokenizer.Fingerprint, "some corpus");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);

        var rebuilt = cache.GetOrEncode(tokenizer, "some corpus");

        Assert.Equal(expected, rebuilt);
        Assert.Equal(2, tokenizer.EncodeCalls);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Given_a_cache_file_with_garbage_When_asked_Then_it_is_rebuilt()
    {
        var cache = new TokenCache(_temp.Path);
        var tokenizer = new CharTokenizer();
        File.WriteAllBytes(cache.PathFor(tokenizer.Fingerprint, "xyz"), [1, 2, 3]);

        Assert.Equal(tokenizer.Encode("xyz"), cache.GetOrEncode(tokenizer, "xyz"));
        Assert.Equal(2, tokenizer.EncodeCalls);
    }
}

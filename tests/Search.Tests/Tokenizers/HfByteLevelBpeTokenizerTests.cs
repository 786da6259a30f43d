using System.Text;
using System.Text.Json;
using Search.Model;
using Search.Model.Tokenizers;

namespace Search.Tests.Tokenizers;

/// <summary>A tiny byte-level BPE tokenizer.json written by the test itself, loaded through TokenizerLoader.</summary>
public sealed class HfByteLevelBpeTokenizerTests : IDisposable
{
    private const int BeginOfText = 400;
    private const int EndOfText = 401;

    // Byte-level merges: "hello", "Ġworld" and the digit pair "12" get built; "Ġxyz" is in the vocab without merges.
    private static readonly (string A, string B)[] Merges =
    [
        ("h", "e"), ("l", "l"), ("ll", "o"), ("he", "llo"),
        ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("Ġwor", "ld"),
        ("1", "2"),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("hf-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_AppliesMerges_InEitherMergeFormat(bool mergesAsPairs)
    {
        ITextTokenizer tok = Write(mergesAsPairs, ignoreMerges: false);
        Dictionary<string, int> vocab = Vocab();
        Assert.IsType<HfByteLevelBpeTokenizer>(tok);
        Assert.Equal([vocab["hello"], vocab["Ġworld"]], tok.Encode("hello world"));
        Assert.Equal([vocab["12"], vocab["3"]], tok.Encode("123"));
        Assert.Equal(BeginOfText, tok.BosId);
        Assert.Equal(EndOfText, tok.EosId);
        Assert.Equal(EndOfText + 1, tok.VocabSize);
        Assert.StartsWith("hf-bpe:", tok.Fingerprint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("héllo 日本語 🙂")]
    [InlineData("  spaces   and\nnewlines\n\n\tand tabs ")]
    [InlineData("a")]
    public void DecodeOfEncode_IsIdentity(string text)
    {
        ITextTokenizer tok = Write(mergesAsPairs: false, ignoreMerges: false);
        int[] ids = tok.Encode(text);
        Assert.NotEmpty(ids);
        Assert.Equal(text, tok.Decode(ids));
    }

    [Fact]
    public void SpecialTokens_AreMatchedInText_AndDroppedByDecode()
    {
        ITextTokenizer tok = Write(mergesAsPairs: false, ignoreMerges: false);
        int[] ids = tok.Encode("hello<|end_of_text|>");
        Assert.Equal([Vocab()["hello"], EndOfText], ids);
        Assert.Equal("hello world", tok.Decode([BeginOfText, .. tok.Encode("hello world"), EndOfText]));
    }

    [Fact]
    public void IgnoreMerges_EmitsWholeVocabWords()
    {
        // "Ġxyz" has no merge path: plain BPE leaves bytes, ignore_merges (Llama 3) takes the word whole.
        Assert.Equal(4, Write(mergesAsPairs: false, ignoreMerges: false).Encode(" xyz").Length);
        Assert.Equal([Vocab()["Ġxyz"]], Write(mergesAsPairs: false, ignoreMerges: true).Encode(" xyz"));
    }

    [Fact]
    public void CorruptJson_IsAUserInputErrorNamingTheFile()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{ \"model\": { \"type\": \"BPE\", \"vocab\": ");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownMergePiece_IsAUserInputError()
    {
        Write(mergesAsPairs: false, ignoreMerges: false, extraMerge: "zz qq");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
    }

    /// <summary>GPT-2's byte → char table, written out independently of the production code.</summary>
    private static string ByteChar(int b)
    {
        if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
        {
            return ((char)b).ToString();
        }

        int shifted = 0;
        for (int i = 0; i < b; i++)
        {
            if (!((i >= 0x21 && i <= 0x7E) || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF)))
            {
                shifted++;
            }
        }

        return ((char)(256 + shifted)).ToString();
    }

    private static Dictionary<string, int> Vocab()
    {
        var vocab = new Dictionary<string, int>();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteChar(b)] = b;
        }

        foreach ((string a, string b) in Merges)
        {
            vocab.TryAdd(a + b, vocab.Count);
        }

        vocab["Ġxyz"] = vocab.Count;
        return vocab;
    }

    private ITextTokenizer Write(bool mergesAsPairs, bool ignoreMerges, string? extraMerge = null)
    {
        object[] merges = mergesAsPairs
            ? [.. Merges.Select(m => (object)new[] { m.A, m.B })]
            : [.. Merges.Select(m => (object)$"{m.A} {m.B}")];
        if (extraMerge is not null)
        {
            merges = [.. merges, extraMerge];
        }

        // Shaped like Meta-Llama-3's file: Split regex + ByteLevel without regex, no normalizer.
        var json = new
        {
            version = "1.0",
            added_tokens = new object[]
            {
                new { id = BeginOfText, content = "<|begin_of_text|>", special = true },
                new { id = EndOfText, content = "<|end_of_text|>", special = true },
            },
            normalizer = (object?)null,
            pre_tokenizer = new
            {
                type = "Sequence",
                pretokenizers = new object[]
                {
                    new
                    {
                        type = "Split",
                        pattern = new { Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+" },
                        behavior = "Isolated",
                        invert = false,
                    },
                    new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = false },
                },
            },
            decoder = new { type = "ByteLevel" },
            model = new { type = "BPE", ignore_merges = ignoreMerges, vocab = Vocab(), merges },
        };
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), JsonSerializer.Serialize(json), Encoding.UTF8);
        return extraMerge is null ? TokenizerLoader.Load(_dir) : null!;
    }
}

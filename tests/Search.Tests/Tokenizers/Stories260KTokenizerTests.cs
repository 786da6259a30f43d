using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Search.Model.Tokenizers;
using Xunit.Abstractions;

namespace Search.Tests.Tokenizers;

/// <summary>The tok512 SentencePiece BPE of stories260K against the reference file's golden values.</summary>
public class Stories260KTokenizerTests(ITestOutputHelper output)
{
    private static readonly Lazy<ITextTokenizer> Tokenizer = new(() => TokenizerLoader.Load(SharedAssets.Stories260KDir));

    [SharedFact]
    public void Prompt_EncodesToReferenceIds()
    {
        JsonElement prompt = SharedAssets.ReferenceOutputs().GetProperty("prompt");
        int[] expected = [.. prompt.GetProperty("token_ids_with_bos").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal(Tokenizer.Value.BosId, expected[0]);
        Assert.Equal(expected[1..], Tokenizer.Value.Encode(prompt.GetProperty("text").GetString()!));
    }

    [SharedFact]
    public void GreedyIds_DecodeToReferenceText()
    {
        JsonElement greedy = SharedAssets.ReferenceOutputs().GetProperty("greedy_from_bos_200");
        int[] ids = [.. greedy.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal(greedy.GetProperty("text").GetString(), Tokenizer.Value.Decode(ids));

        // A leading BOS is a control token and must not change the text.
        Assert.Equal(greedy.GetProperty("text").GetString(), Tokenizer.Value.Decode([Tokenizer.Value.BosId, .. ids]));
    }

    [SharedFact]
    public void Ids_AndFingerprint_FollowTheModelFile()
    {
        ITextTokenizer tok = Tokenizer.Value;
        Assert.IsType<SentencePieceBpeTokenizer>(tok);
        Assert.Equal(512, tok.VocabSize);
        Assert.Equal(2, tok.EosId);
        string sha = SharedAssets.ReferenceOutputs().GetProperty("sha256").GetProperty("tokenizer.model").GetString()!;
        Assert.Equal("spm-bpe:" + sha[..16], tok.Fingerprint);
    }

    [SharedTheory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("日")]
    public void OneCharacter_EncodesToNonEmptyIds(string text)
    {
        int[] ids = Tokenizer.Value.Encode(text);
        Assert.NotEmpty(ids);
        Assert.Equal(text, Tokenizer.Value.Decode(ids));
    }

    [SharedFact]
    public void ExtraWhitespace_IsRemovedLikeSentencePiece()
    {
        // tok512 keeps remove_extra_whitespaces = true: leading/trailing spaces go, runs collapse.
        ITextTokenizer tok = Tokenizer.Value;
        Assert.Equal(tok.Encode("Once upon a time"), tok.Encode("   Once  upon    a time  "));
        Assert.Empty(tok.Encode("    "));
        Assert.Empty(tok.Encode(""));
    }

    [SharedFact]
    public void ReferenceKeys_CoverEveryDataFileInTheReference()
    {
        string[] inFile = [.. SharedAssets.ReferenceOutputs().GetProperty("perplexity").EnumerateObject().Select(p => p.Name).Order()];
        Assert.Equal(ReferenceCorpora.Keys.Order(), inFile);
    }

    /// <summary>1 + |encode(text)| must equal the reference token count: the strongest exactness check.</summary>
    [SharedTheory]
    [InlineData("tinystories/valid.txt")]
    [InlineData("tinystories/train.txt")]
    [InlineData("wikitext2-raw/test.txt")]
    [InlineData("wikitext2-raw/valid.txt")]
    [InlineData("ptb/test.txt")]
    [InlineData("ptb/valid.txt")]
    [InlineData("c4-sample/sample.jsonl")]
    public void TokenCount_MatchesReference(string key)
    {
        int expected = SharedAssets.ReferenceOutputs().GetProperty("perplexity").GetProperty(key).GetProperty("total_tokens_incl_bos").GetInt32();
        string text = ReferenceCorpora.Text(key);
        var watch = Stopwatch.StartNew();
        int[] ids = Tokenizer.Value.Encode(text);
        watch.Stop();
        double mb = Encoding.UTF8.GetByteCount(text) / 1e6;
        output.WriteLine($"{key}: {ids.Length + 1} ids with BOS, {mb:F2} MB in {watch.Elapsed.TotalSeconds:F2} s = {mb / watch.Elapsed.TotalSeconds:F2} MB/s");
        Assert.Equal(expected, 1 + ids.Length);
    }

    [SharedFact]
    public void WikiTextTest_EncodesAsOneStringQuickly()
    {
        string text = File.ReadAllText(SharedAssets.DataPath("wikitext2-raw/test.txt"));
        ITextTokenizer tok = Tokenizer.Value;
        tok.Encode("warm up");
        var watch = Stopwatch.StartNew();
        int[] ids = tok.Encode(text);
        watch.Stop();
        double mb = Encoding.UTF8.GetByteCount(text) / 1e6;
        output.WriteLine($"wikitext2-raw/test.txt: {mb:F2} MB -> {ids.Length} ids in {watch.Elapsed.TotalSeconds:F2} s = {mb / watch.Elapsed.TotalSeconds:F2} MB/s");

        // Generous bound for a shared 2-core machine; a quadratic merge loop takes minutes here.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"encoding took {watch.Elapsed}");
    }
}

using Search.Data;

namespace Search.Tests.Data;

public sealed class CorpusTokensTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Given_a_named_split_When_windowed_through_the_cache_Then_the_protocol_records_dataset_and_split()
    {
        _temp.File("data/ptb/valid.txt", "abcdefg");
        var source = new DatasetCatalog(Path.Combine(_temp.Path, "data")).Resolve("ptb", "validation");
        var tokenizer = new CharTokenizer();
        var cache = new TokenCache(Path.Combine(_temp.Path, "cache"));

        var windows = CorpusTokens.EvalWindowsOf(source, tokenizer, cache, BosMode.Corpus, seqLen: 4);
        CorpusTokens.EvalWindowsOf(source, tokenizer, cache, BosMode.Corpus, seqLen: 4);

        Assert.Equal(new long[] { 1, 'a' + 3, 'b' + 3, 'c' + 3, 'd' + 3, 'e' + 3, 'f' + 3, 'g' + 3 }, windows.Ids);
        Assert.Equal(("ptb", "valid", 7L), (windows.Protocol.Dataset, windows.Protocol.Split, windows.Protocol.CorpusTokens));
        Assert.Equal(1, tokenizer.EncodeCalls);
    }
}

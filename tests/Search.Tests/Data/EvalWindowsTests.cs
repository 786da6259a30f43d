using System.Text.Json;
using System.Text.RegularExpressions;
using Search.Model;
using Search.Data;

namespace Search.Tests.Data;

public sealed partial class EvalWindowsTests
{
    private const int Bos = 1;
    private static readonly int[] Corpus = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

    [Fact]
    public void Given_corpus_bos_When_windowed_Then_one_bos_leads_the_stream_and_the_remainder_is_dropped()
    {
        var windows = EvalWindows.Build(Corpus, Bos, BosMode.Corpus, seqLen: 4);

        Assert.Equal(2, windows.Count);
        Assert.Equal(new long[] { 1, 10, 11, 12, 13, 14, 15, 16 }, windows.Ids);
        Assert.Equal(6, windows.ScoredTokens);
    }

    [Fact]
    public void Given_window_bos_When_windowed_Then_each_window_is_bos_plus_the_next_seqlen_minus_one_ids()
    {
        var windows = EvalWindows.Build(Corpus, Bos, BosMode.Window, seqLen: 4);

        Assert.Equal(3, windows.Count);
        Assert.Equal(new long[] { 1, 10, 11, 12, 1, 13, 14, 15, 1, 16, 17, 18 }, windows.Ids);
        Assert.Equal(new long[] { 1, 13, 14, 15 }, windows.Window(1).ToArray());
        Assert.Equal(9, windows.ScoredTokens);
    }

    [Fact]
    public void Given_no_bos_When_windowed_Then_windows_are_corpus_ids_alone()
    {
        var windows = EvalWindows.Build(Corpus, Bos, BosMode.None, seqLen: 4);

        Assert.Equal(new long[] { 10, 11, 12, 13, 14, 15, 16, 17 }, windows.Ids);
        Assert.Equal(6, windows.ScoredTokens);
    }

    [Fact]
    public void Given_max_windows_When_windowed_Then_only_the_first_are_kept_and_the_protocol_says_so()
    {
        var windows = EvalWindows.Build(Corpus, Bos, BosMode.None, seqLen: 3, maxWindows: 2, dataset: "ptb", split: "valid");

        Assert.Equal(new long[] { 10, 11, 12, 13, 14, 15 }, windows.Ids);
        Assert.Equal(new EvalProtocol("ptb", "valid", 3, BosMode.None, 2, 4, 10, 2), windows.Protocol);
        Assert.Contains("first 2 kept", windows.Protocol.Describe());
    }

    [Fact]
    public void Given_a_cap_above_the_available_windows_When_windowed_Then_all_are_kept_and_no_cap_is_recorded()
    {
        var windows = EvalWindows.Build(Corpus, Bos, BosMode.None, seqLen: 5, maxWindows: 100);

        Assert.Equal(2, windows.Count);
        Assert.Null(windows.Protocol.MaxWindows);
    }

    [Fact]
    public void Given_a_seqlen_longer_than_the_corpus_When_windowed_Then_the_error_names_both_lengths()
    {
        var error = Assert.Throws<UserInputException>(() => EvalWindows.Build(Corpus, Bos, BosMode.Corpus, seqLen: 12));

        Assert.Equal("seqlen 12 is longer than the corpus (11 tokens)", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Given_a_seqlen_below_two_When_windowed_Then_it_is_a_user_error(int seqLen)
    {
        Assert.Throws<UserInputException>(() => EvalWindows.Build(Corpus, Bos, BosMode.None, seqLen));
    }

    // reference_outputs.json records, per shared/data file, the stream length with BOS and the scored count
    // under the Corpus-BOS protocol; our window arithmetic (and protocol text) must reproduce every entry.
    [SharedFact]
    public void Given_the_reference_outputs_When_windowing_streams_of_their_lengths_Then_counts_and_protocol_strings_match()
    {
        var referencePath = Path.Combine(SharedAssets.Root!, "models", "stories260K", "reference_outputs.json");
        using var reference = JsonDocument.Parse(File.ReadAllText(referencePath));
        var entries = reference.RootElement.GetProperty("perplexity").EnumerateObject().ToList();
        Assert.NotEmpty(entries);

        foreach (var entry in entries)
        {
            var protocol = entry.Value.GetProperty("protocol").GetString()!;
            var match = ProtocolPattern().Match(protocol);
            Assert.True(match.Success, $"{entry.Name}: unexpected protocol text '{protocol}'");
            var expectedWindows = int.Parse(match.Groups["windows"].Value);
            var seqLen = int.Parse(match.Groups["seqlen"].Value);
            var totalWithBos = entry.Value.GetProperty("total_tokens_incl_bos").GetInt32();

            var windows = EvalWindows.Build(new int[totalWithBos - 1], Bos, BosMode.Corpus, seqLen);

            Assert.Equal(expectedWindows, windows.Count);
            Assert.Equal(entry.Value.GetProperty("scored_tokens").GetInt64(), windows.ScoredTokens);
            Assert.Equal(protocol, windows.Protocol.Describe());
        }
    }

    [GeneratedRegex(@"^stream: ids=\[BOS\]\+encode\(text\); (?<windows>\d+) non-overlapping windows of (?<seqlen>\d+); window scores its tokens 1\.\.\d+$")]
    private static partial Regex ProtocolPattern();
}

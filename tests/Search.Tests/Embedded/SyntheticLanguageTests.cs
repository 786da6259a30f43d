using System.Text.RegularExpressions;
using Search.Training.Embedded;

namespace Search.Tests.Embedded;

public sealed partial class SyntheticLanguageTests
{
    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex WordPattern();

    [Fact]
    public void Given_the_same_seed_When_generating_twice_Then_the_texts_are_identical()
    {
        Assert.Equal(SyntheticLanguage.Generate(42, 20_000), SyntheticLanguage.Generate(42, 20_000));
    }

    [Fact]
    public void Given_different_seeds_When_generating_Then_the_texts_differ()
    {
        Assert.NotEqual(SyntheticLanguage.Generate(42, 20_000), SyntheticLanguage.Generate(43, 20_000));
    }

    [Fact]
    public void Given_a_seed_When_generating_Then_the_output_is_pinned()
    {
        // Guards against silent changes to the PRNG or grammar, which would change every cached build
        // without a TinyModelRecipe.Version bump.
        string text = SyntheticLanguage.Generate(TinyModelRecipe.Default.Seed, 1);
        Assert.StartsWith(" ", text);
        Assert.EndsWith(".\n", text);
        Assert.Equal(1, text.Count(c => c == '\n'));
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(SyntheticLanguage.Generate(TinyModelRecipe.Default.Seed, 20_000))))[..16];
        Assert.Equal(PinnedHash, hash);
    }

    /// <summary>sha256 (first 16 hex) of the first 20,000+ characters of the default seed's stream.</summary>
    private const string PinnedHash = "5fc2310105e9fa72";

    [Fact]
    public void Given_a_corpus_When_written_Then_splits_exist_and_share_no_story()
    {
        string dir = Path.Combine(Path.GetTempPath(), "emb-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            SyntheticLanguage.WriteCorpus(dir, 7, 40_000, 10_000, 10_000);
            var lines = SyntheticLanguage.Splits.ToDictionary(s => s,
                s => File.ReadAllLines(Path.Combine(dir, "synthetic", s + ".txt")).ToHashSet(StringComparer.Ordinal));
            Assert.InRange(new FileInfo(Path.Combine(dir, "synthetic", "train.txt")).Length, 40_000, 42_000);
            Assert.Empty(lines["train"].Intersect(lines["valid"]));
            Assert.Empty(lines["train"].Intersect(lines["test"]));
            Assert.Empty(lines["valid"].Intersect(lines["test"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Given_generated_text_When_listing_its_words_Then_every_word_is_in_the_lexicon_and_most_are_used()
    {
        string text = SyntheticLanguage.Generate(3, 300_000);
        var used = WordPattern().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(used, w => !SyntheticLanguage.WordSet.Contains(w));
        // The vocabulary should not be padded with words the grammar never emits.
        var unused = SyntheticLanguage.Words.Where(w => !used.Contains(w)).ToList();
        Assert.True(unused.Count < SyntheticLanguage.Words.Count / 10, $"unused words: {string.Join(' ', unused)}");
        Assert.InRange(SyntheticLanguage.Words.Count, 200, 1000);
    }
}

using Search.Model;
using Search.Data;

namespace Search.Tests.Data;

public sealed class PoolSpecTests
{
    [Fact]
    public void Given_the_cli_form_When_parsed_Then_fields_are_read_and_the_key_round_trips()
    {
        var spec = PoolSpec.Parse("tinystories:train:256x128:seed0");

        Assert.Equal(new PoolSpec("tinystories", "train", SeqLen: 128, Count: 256, Seed: 0), spec);
        Assert.Equal("tinystories:train:256x128:seed0", spec.Key);
        Assert.Equal(spec, PoolSpec.Parse(spec.Key));
    }

    [Fact]
    public void Given_a_source_with_colons_When_parsed_Then_only_the_last_three_fields_are_fixed()
    {
        var spec = PoolSpec.Parse(@"C:\corpora\mine.txt:file:10x64:seed42");

        Assert.Equal(@"C:\corpora\mine.txt", spec.Source);
        Assert.Equal(42, spec.Seed);
    }

    [Theory]
    [InlineData("tinystories:train:256x128", "4 ':'-separated fields")]
    [InlineData("tinystories:train:256:seed0", "COUNTxSEQLEN")]
    [InlineData("tinystories:train:0x128:seed0", "COUNTxSEQLEN")]
    [InlineData("tinystories:train:256x-1:seed0", "COUNTxSEQLEN")]
    [InlineData("tinystories:train:256x128:0", "seedN")]
    [InlineData("tinystories:train:256x128:seedx", "seedN")]
    [InlineData(":train:256x128:seed0", "source is empty")]
    [InlineData("c4::256x128:seed0", "split is empty")]
    public void Given_a_malformed_spec_When_parsed_Then_one_line_says_what_is_wrong_and_shows_the_format(string text, string why)
    {
        var error = Assert.Throws<UserInputException>(() => PoolSpec.Parse(text));

        Assert.Contains(why, error.Message);
        Assert.Contains(PoolSpec.Format, error.Message);
        Assert.Contains(text, error.Message);
    }
}

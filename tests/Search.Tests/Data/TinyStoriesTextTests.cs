using Search.Data;

namespace Search.Tests.Data;

public sealed class TinyStoriesTextTests
{
    [Fact]
    public void Given_stories_separated_by_endoftext_lines_When_prepared_Then_they_are_stripped_and_joined()
    {
        var file = "Spot saw a car.\n\nIt was red.\n<|endoftext|>\n  Tom ran.  \n<|endoftext|>\n\n<|endoftext|>\n";

        Assert.Equal("Spot saw a car.\n\nIt was red.\n\nTom ran.", TinyStoriesText.Prepare(file));
    }

    [Fact]
    public void Given_text_without_markers_When_prepared_Then_it_is_returned_verbatim()
    {
        var file = "  One day.\n\nThe end.\n";

        Assert.Same(file, TinyStoriesText.Prepare(file));
    }

    [Fact]
    public void Given_python_only_whitespace_around_a_story_When_prepared_Then_it_is_stripped_like_python()
    {
        Assert.Equal("a\n\nb", TinyStoriesText.Prepare("\u001fa\u001c<|endoftext|>b"));
    }
}

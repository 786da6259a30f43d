using System.Security.Cryptography;
using System.Text;
using Search.Model;
using Search.Data;

namespace Search.Tests.Data;

public sealed class DatasetCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private DatasetCatalog CatalogWith(params (string Path, string Text)[] files)
    {
        foreach (var (path, text) in files) _temp.File(Path.Combine("data", path), text);
        return new DatasetCatalog(Path.Combine(_temp.Path, "data"));
    }

    [Theory]
    [InlineData("wikitext2", "test", "wikitext2-raw/test.txt")]
    [InlineData("wikitext2", "validation", "wikitext2-raw/valid.txt")]
    [InlineData("ptb", "valid", "ptb/valid.txt")]
    [InlineData("c4", "sample", "c4-sample/sample.jsonl")]
    [InlineData("c4", "train", "c4-sample/sample.jsonl")]
    [InlineData("c4", "validation", "c4-sample/sample.jsonl")]
    [InlineData("tinystories", "train", "tinystories/train.txt")]
    [InlineData("TinyStories", "valid", "tinystories/valid.txt")]
    public void Given_a_known_name_and_split_When_resolved_Then_the_layout_file_is_used(string name, string split, string expectedFile)
    {
        var catalog = CatalogWith((expectedFile, "{\"text\": \"x\"}"));

        var source = catalog.Resolve(name, split);

        Assert.Equal(Path.Combine(catalog.DataDirectory, expectedFile), source.Path);
        Assert.Equal(name.ToLowerInvariant(), source.Dataset);
    }

    [Fact]
    public void Given_the_validation_alias_When_resolved_Then_the_recorded_split_is_canonical()
    {
        var catalog = CatalogWith(("ptb/valid.txt", "x"));

        Assert.Equal("valid", catalog.Resolve("ptb", "validation").Split);
    }

    [Fact]
    public void Given_an_unknown_name_When_resolved_Then_one_line_lists_the_known_names()
    {
        var error = Assert.Throws<UserInputException>(() => CatalogWith().Resolve("wikitext103", "test"));

        Assert.DoesNotContain('\n', error.Message);
        foreach (var name in DatasetCatalog.KnownNames) Assert.Contains(name, error.Message);
    }

    [Fact]
    public void Given_an_unknown_split_When_resolved_Then_the_error_lists_the_splits()
    {
        var error = Assert.Throws<UserInputException>(() => CatalogWith().Resolve("tinystories", "test"));

        Assert.Contains("train", error.Message);
        Assert.Contains("valid", error.Message);
    }

    [Fact]
    public void Given_a_missing_split_file_When_resolved_Then_the_error_names_the_path()
    {
        var catalog = CatalogWith();

        var error = Assert.Throws<UserInputException>(() => catalog.Resolve("wikitext2", "train"));

        Assert.Contains(Path.Combine(catalog.DataDirectory, "wikitext2-raw/train.txt"), error.Message);
    }

    [Fact]
    public void Given_the_tinystories_preset_When_read_Then_endoftext_stories_are_joined_but_a_marker_free_file_is_verbatim()
    {
        var catalog = CatalogWith(
            ("tinystories/valid.txt", "A.\n<|endoftext|>\nB.\n<|endoftext|>\n"),
            ("tinystories/train.txt", "One.\n\nTwo.\n"));

        Assert.Equal("A.\n\nB.", catalog.ReadText("tinystories", "valid"));
        Assert.Equal("One.\n\nTwo.\n", catalog.ReadText("tinystories", "train"));
    }

    [Fact]
    public void Given_a_dataset_value_that_is_a_file_path_When_resolved_Then_it_is_read_by_extension()
    {
        var path = _temp.File("mine/corpus.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");

        var source = CatalogWith().Resolve(path, "test");

        Assert.Equal(TextPreparation.ByExtension, source.Preparation);
        Assert.Equal("a\n\nb", source.ReadText());
    }

    [Fact]
    public void Given_a_path_like_dataset_value_that_does_not_exist_When_resolved_Then_the_error_names_it()
    {
        Assert.Contains("missing.txt", Assert.Throws<UserInputException>(() => CatalogWith().Resolve("missing.txt", "test")).Message);
    }

    [Fact]
    public void Given_an_explicit_dir_When_resolving_the_data_dir_Then_it_wins_over_the_environment()
    {
        var explicitDir = Directory.CreateDirectory(Path.Combine(_temp.Path, "explicit")).FullName;
        var envDir = Directory.CreateDirectory(Path.Combine(_temp.Path, "env")).FullName;

        Assert.Equal(explicitDir, DataDirectory.Resolve(explicitDir, envDir, _temp.Path));
        Assert.Equal(envDir, DataDirectory.Resolve(null, envDir, _temp.Path));
    }

    [Fact]
    public void Given_no_setting_When_resolving_the_data_dir_Then_the_nearest_shared_data_above_is_found()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_temp.Path, "shared", "data")).FullName;
        var checkout = Directory.CreateDirectory(Path.Combine(_temp.Path, "checkout", "src", "deep")).FullName;

        Assert.Equal(shared, DataDirectory.Resolve(null, null, checkout));
    }

    [Fact]
    public void Given_a_nonexistent_configured_dir_When_resolving_the_data_dir_Then_the_error_names_it_and_its_origin()
    {
        var error = Assert.Throws<UserInputException>(() => DataDirectory.Resolve(null, "/no/such/dir", _temp.Path));

        Assert.Contains("/no/such/dir", error.Message);
        Assert.Contains(DataDirectory.EnvironmentVariable, error.Message);
    }

    // sha256 of the text prepared by Python exactly as ../shared/ASSETS.md describes (split at <|endoftext|>,
    // strip, drop empty, "\n\n".join; json text fields "\n\n".join) — the text behind reference_outputs.json.
    [SharedFact]
    public void Given_the_shared_data_When_prepared_Then_the_text_matches_the_reference_preparation_byte_for_byte()
    {
        var catalog = new DatasetCatalog(SharedAssets.DataDirectory);

        Assert.Equal("1f876c3858621faad9d8ec41157bfe294218ca80cfe1c97d7298cde710cd83ff", Sha256(catalog.ReadText("tinystories", "valid")));
        Assert.Equal("378e72e19269f117ff4835ebc3e4292910833be80d64ba630cb4a2447204df64", Sha256(catalog.ReadText("c4", "sample")));
        // ../shared/ASSETS.md: wikitext2-raw/test.txt is byte-exact wiki.test.raw with this sha256; verbatim reading must keep it.
        Assert.Equal("173c87a53759e0201f33e0ccf978e510c2042d7f2cb78229d9a50d79b9e7dd08", Sha256(catalog.ReadText("wikitext2", "test")));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

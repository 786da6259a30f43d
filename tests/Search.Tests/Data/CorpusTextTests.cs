using System.Text;
using Parquet;
using Parquet.Schema;
using Search.Model;
using Search.Data;

namespace Search.Tests.Data;

public sealed class CorpusTextTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Given_a_txt_file_When_read_Then_every_byte_is_kept_including_CRLF_BOM_and_edge_whitespace()
    {
        var original = "\uFEFF  line one\r\nline two\n\n  \t";
        var path = _temp.File("corpus.txt");
        File.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(original));

        Assert.Equal(original, CorpusText.Read(path));
    }

    [Fact]
    public void Given_a_jsonl_file_When_read_Then_text_fields_are_joined_with_blank_lines()
    {
        var path = _temp.File("docs.jsonl", "{\"text\": \"first\\ndoc\", \"url\": \"x\"}\n{\"text\": \"second\"}\n\n");

        Assert.Equal("first\ndoc\n\nsecond", CorpusText.Read(path));
    }

    [Fact]
    public void Given_a_malformed_jsonl_line_When_read_Then_the_error_names_file_and_line()
    {
        var path = _temp.File("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": oops}\n");

        var error = Assert.Throws<UserInputException>(() => CorpusText.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Given_a_jsonl_line_without_text_When_read_Then_the_error_names_file_and_line()
    {
        var path = _temp.File("notext.jsonl", "{\"body\": \"x\"}\n");

        var error = Assert.Throws<UserInputException>(() => CorpusText.Read(path));
        Assert.Contains("line 1", error.Message);
        Assert.Contains("\"text\"", error.Message);
    }

    [Fact]
    public async Task Given_a_parquet_file_with_a_text_column_When_read_Then_rows_of_all_row_groups_are_joined()
    {
        var path = _temp.File("docs.parquet");
        var id = new DataField<int>("id");
        var text = new DataField<string>("text");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, text), stream))
        {
            foreach (var (ids, texts) in new[] { (new[] { 1, 2 }, new[] { "alpha", "beta\n" }), (new[] { 3 }, new[] { "gamma" }) })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(id, new ReadOnlyMemory<int>(ids));
                await group.WriteAsync(text, texts);
            }
        }

        Assert.Equal("alpha\n\nbeta\n\n\ngamma", CorpusText.Read(path));
    }

    [Theory]
    [InlineData("body", "no column named \"text\"")]
    [InlineData("text", "not strings")]
    public async Task Given_a_parquet_file_without_a_string_text_column_When_read_Then_the_error_names_file_and_column(string column, string why)
    {
        var path = _temp.File("wrong.parquet");
        var field = new DataField<int>(column);
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(field, new ReadOnlyMemory<int>([7]));
        }

        var error = Assert.Throws<UserInputException>(() => CorpusText.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Given_a_file_that_is_not_parquet_When_read_Then_a_user_error_names_it()
    {
        var path = _temp.File("fake.parquet", "definitely not parquet");

        Assert.Contains(path, Assert.Throws<UserInputException>(() => CorpusText.Read(path)).Message);
    }

    [Fact]
    public void Given_an_empty_corpus_When_read_Then_the_error_names_the_file()
    {
        var path = _temp.File("empty.txt", "");

        var error = Assert.Throws<UserInputException>(() => CorpusText.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void Given_a_jsonl_file_of_blank_lines_When_read_Then_it_is_an_empty_corpus()
    {
        var path = _temp.File("blank.jsonl", "\n\n");

        Assert.Contains("empty", Assert.Throws<UserInputException>(() => CorpusText.Read(path)).Message);
    }

    [Fact]
    public void Given_a_missing_file_When_read_Then_the_error_names_it()
    {
        var path = Path.Combine(_temp.Path, "nope.txt");

        Assert.Contains(path, Assert.Throws<UserInputException>(() => CorpusText.Read(path)).Message);
    }

    [Fact]
    public void Given_invalid_utf8_When_read_Then_a_user_error_names_the_file()
    {
        var path = _temp.File("latin1.txt");
        File.WriteAllBytes(path, [0x63, 0x61, 0x66, 0xE9]);

        Assert.Contains(path, Assert.Throws<UserInputException>(() => CorpusText.Read(path)).Message);
    }

    [Fact]
    public void Given_an_unsupported_extension_When_read_Then_the_error_lists_supported_ones()
    {
        var path = _temp.File("data.csv", "a,b");

        Assert.Contains(".jsonl", Assert.Throws<UserInputException>(() => CorpusText.Read(path)).Message);
    }
}

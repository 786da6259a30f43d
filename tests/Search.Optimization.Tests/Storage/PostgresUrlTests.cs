using Npgsql;
using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>URL parsing and masking; no server needed.</summary>
public sealed class PostgresUrlTests
{
    [Fact]
    public void Given_a_url_with_a_password_When_parsed_Then_only_the_display_form_is_printable_and_it_masks_the_password()
    {
        var url = PostgresUrl.Parse("postgresql://ada:s%40cr%3At@db.example.org:6543/studies?sslmode=require&schema=night_1");
        Assert.Equal("postgresql://ada:***@db.example.org:6543/studies?sslmode=require&schema=night_1", url.Display);
        Assert.Equal(url.Display, url.ToString());
        Assert.Equal(("db.example.org", 6543, "studies", "ada", "s@cr:t"), (url.Settings.Host, url.Settings.Port, url.Settings.Database, url.Settings.Username, url.Settings.Password));
        Assert.Equal(SslMode.Require, url.Settings.SslMode);
        Assert.Equal("night_1", url.Schema);
    }

    [Fact]
    public void Given_a_url_without_password_When_parsed_Then_npgsql_is_left_to_find_one_and_the_defaults_apply()
    {
        var url = PostgresUrl.Parse("postgres://ada@localhost/studies");
        Assert.Null(url.Settings.Password);
        Assert.Equal("postgresql://ada@localhost:5432/studies", url.Display);
        Assert.Equal((5432, PostgresUrl.DefaultSchema), (url.Settings.Port, url.Schema));
        Assert.Equal(SslMode.Prefer, url.Settings.SslMode);
    }

    [Fact]
    public void Given_a_password_as_a_query_parameter_When_parsed_or_masked_Then_it_is_hidden_too()
    {
        const string raw = "postgresql://ada@h/db?password=hunter2&sslmode=disable";
        var url = PostgresUrl.Parse(raw);
        Assert.Equal("hunter2", url.Settings.Password);
        Assert.DoesNotContain("hunter2", url.Display);
        Assert.DoesNotContain("hunter2", PostgresUrl.Mask(raw));
        Assert.Equal("postgresql://ada:***@h/db", PostgresUrl.Mask("postgresql://ada:hunter2@h/db"));
    }

    [Theory]
    [InlineData("postgresql://ada:hunter2@h/db?sslmode=sometimes", "sslmode 'sometimes'")]
    [InlineData("postgresql://ada:hunter2@h/db?colour=blue", "unknown parameter 'colour'")]
    [InlineData("postgresql://ada:hunter2@h/db?schema=Robert'); DROP TABLE", "schema")]
    [InlineData("postgresql://ada:hunter2@h/db?connect_timeout=-1", "connect_timeout")]
    [InlineData("postgresql://ada:hunter2@h1,h2/db", "not a valid URL")]
    public void Given_a_bad_url_When_parsed_Then_one_line_names_the_problem_without_the_password(string raw, string expected)
    {
        var error = Assert.Throws<OptimizationInputException>(() => PostgresUrl.Parse(raw));
        Assert.Contains(expected, error.Message);
        Assert.Contains("ada:***@", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_location_When_described_Then_a_url_is_masked_and_a_path_is_made_absolute()
    {
        Assert.Equal("postgresql://ada:***@h:5432/db", StorageLocator.Describe("postgresql://ada:hunter2@h:5432/db"));
        Assert.Equal(Path.GetFullPath("studies.db"), StorageLocator.Describe("studies.db"));
    }

    [Fact]
    public void Given_a_file_path_When_opened_through_the_locator_Then_it_is_a_LiteDB_store()
    {
        using var directory = new TempDirectory();
        using var storage = StorageLocator.Open(directory.File("s.db"), readOnly: false);
        Assert.IsType<LiteDbStorage>(storage);
        Assert.Equal(directory.File("s.db"), storage.DisplayName);
    }
}

namespace Search.Tests.Cli;

/// <summary>
/// The bad-input table (<see cref="BadInputCases"/>) through the real executable: each case runs as
/// a child process against throwaway copies and must end with its exit code and exactly one stderr
/// line starting with the expected words — no stack trace, nothing accepted silently — and leave
/// the store it was given as it was.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    public static TheoryData<string> Cases => new(BadInputCases.All.Select(c => c.Name));

    [Fact]
    public void Case_names_are_unique() =>
        Assert.Equal(BadInputCases.All.Count, BadInputCases.All.Select(c => c.Name).Distinct().Count());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gives_its_exit_code_and_one_line_and_leaves_the_store_as_it_was(string name)
    {
        var c = BadInputCases.All.Single(x => x.Name == name);
        string dir = Directory.CreateTempSubdirectory($"prunesearch-bad-{name}-").FullName;
        try
        {
            var workspace = new BadInputWorkspace(dir, fixture);
            var args = c.Arrange(workspace);
            byte[]? storeBefore = workspace.StorePath is { } store ? File.ReadAllBytes(store) : null;

            var run = CliRun.In(dir, args);

            string expected = c.Message.Replace("{dir}", dir);
            string? names = c.Names?.Replace("{dir}", dir);
            var lines = run.Error.TrimEnd('\n').Split('\n');
            Assert.True(run.ExitCode == c.Exit && lines.Length == 1 && lines[0].StartsWith(expected, StringComparison.Ordinal)
                        && (names is null || lines[0].Contains(names, StringComparison.Ordinal)),
                $"expected exit {c.Exit} and one line starting\n  {expected}{(names is null ? "" : $"\nnaming {names}")}\ngot exit {run.ExitCode}:\n{run.Error}");
            c.Also?.Invoke(run);
            AssertStore(c.Store, storeBefore, workspace.StorePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertStore(StoreAfter rule, byte[]? before, string? path)
    {
        if (rule == StoreAfter.None) return;
        Assert.NotNull(before);
        var after = File.ReadAllBytes(path!);
        if (rule == StoreAfter.IdenticalButLiteDbDamageFlag && after.Length == before.Length && after.Length > LiteDbInvalidStateByte)
            after[LiteDbInvalidStateByte] = before[LiteDbInvalidStateByte];
        Assert.True(before.AsSpan().SequenceEqual(after), $"{path} changed ({before.Length} → {after.Length} bytes)");
    }

    /// <summary>LiteDB 5's header offset of its "data file is invalid" flag (HeaderPage.P_INVALID_DATAFILE_STATE).</summary>
    private const int LiteDbInvalidStateByte = 191;
}

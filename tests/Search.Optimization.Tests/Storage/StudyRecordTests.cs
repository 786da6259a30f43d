using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>Resuming a study compares what the space file says, not how it is laid out.</summary>
public sealed class StudyRecordTests
{
    // Shaped like the shipped spaces: comments above and between the fields.
    private const string Commented = """
        {
          // a short joint search
          "name": "quick",
          "params": [
            { "name": "samples", "kind": "int", "low": 8, "high": 128, "log": true },
            // what the baselines use
            { "name": "structure", "kind": "categorical", "choices": ["per-layer", "al-am-exact"] }
          ]
        }
        """;

    private static StudyRecord With(string spaceJson) =>
        new("s", "/models/tiny", "sha256:abc", spaceJson, 4, "gp", 0, "{}", "test");

    [Fact]
    public void A_commented_space_with_other_whitespace_resumes_the_same_study()
    {
        string reindented = Commented.Replace("  // what the baselines use", "        //   what the baselines use")
            .Replace("\"kind\": \"int\"", "\"kind\":\"int\"");
        Assert.NotEqual(Commented, reindented);

        With(Commented).EnsureCompatibleWith(With(reindented));
        With(Commented).EnsureCompatibleWith(With(Commented.Replace("// a short joint search", "// reworded comment")));
    }

    [Fact]
    public void A_commented_space_with_another_value_is_a_different_study()
    {
        var error = Assert.Throws<OptimizationInputException>(() =>
            With(Commented).EnsureCompatibleWith(With(Commented.Replace("\"high\": 128", "\"high\": 64"))));
        Assert.Contains("different search space JSON", error.Message);
    }
}

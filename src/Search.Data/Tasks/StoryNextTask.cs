using System.Text.RegularExpressions;
using Search.Model;

namespace Search.Data.Tasks;

/// <summary>
/// <c>story_next</c>: which sentence comes next in a TinyStories story? Built from the validation
/// file (calibration draws from train) and only from its second half of stories — the part that
/// <c>search</c>'s "valid[test]" windows cover, never the "valid[search]" part trials are tuned on.
/// Each item takes a story with at least three sentences, cuts it before a sentence j in
/// 1..min(n−1, 4) (uniform), and offers that sentence against <c>choices − 1</c> sentences (index ≥ 1,
/// so never an opening "Once upon a time") of other stories of similar length (2/3 to 4/3 of the true
/// sentence's characters), the gold at a random position. The context is the story's
/// text before sentence j; every continuation is " " + sentence. All draws come from one
/// <see cref="PythonRandom"/> with the seed, so the items are fixed for a file and seed.
/// </summary>
public static partial class StoryNextTask
{
    public const string Name = "story_next";
    public const int DefaultItems = 1000;
    public const int DefaultChoices = 4;
    public const int DefaultSeed = 1234;

    /// <summary>The cut is before one of the first sentences, so contexts stay short (scoring cost) and hold the story's opening.</summary>
    public const int MaxCut = 4;

    private const int LengthTries = 200;

    public static TaskDefinition Definition { get; } = new(Name, "tinystories valid (second half of stories)", "valid[test]",
        [TaskMetricNames.Acc, TaskMetricNames.AccNorm], "PruneSearch (this repo): true next sentence vs sentences of other stories", _ => throw new InvalidOperationException());

    /// <summary>Sentences with their start offsets: a sentence ends at . ! or ? (and a closing quote) followed by whitespace and a capital letter (or an opening quote and one).</summary>
    public static IReadOnlyList<(int Start, string Text)> Sentences(string story)
    {
        var list = new List<(int, string)>();
        int start = 0;
        foreach (Match m in Boundary().Matches(story))
        {
            list.Add((start, story[start..m.Index]));
            start = m.Index + m.Length;
        }
        if (start < story.Length) list.Add((start, story[start..]));
        return list;
    }

    public static IReadOnlyList<ChoiceItem> Build(string validFileText, int items = DefaultItems, int choices = DefaultChoices, int seed = DefaultSeed, string file = "valid.txt")
    {
        if (items < 1) throw new UserInputException($"{Name}: items must be at least 1, got {items}");
        if (choices < 2) throw new UserInputException($"{Name}: choices must be at least 2, got {choices}");
        var all = TinyStoriesText.Stories(validFileText).ToList();
        var pool = all.Skip(all.Count / 2).Select(s => (Text: s, Sentences: Sentences(s))).Where(s => s.Sentences.Count >= 3).ToList();
        if (pool.Count < Math.Max(choices, 2))
            throw new UserInputException($"{file}: {pool.Count} stories with three or more sentences in the second half of the file, {Name} needs at least {Math.Max(choices, 2)}");
        var random = new PythonRandom(seed);
        int Draw(int n) => (int)random.RandBelow((ulong)n);
        var result = new List<ChoiceItem>(items);
        for (int k = 0; k < items; k++)
        {
            int s = Draw(pool.Count);
            var story = pool[s];
            int cut = 1 + Draw(Math.Min(story.Sentences.Count - 1, MaxCut));       // sentence j in 1..min(n−1, MaxCut)
            string context = PythonText.RStrip(story.Text[..story.Sentences[cut].Start]);
            string truth = story.Sentences[cut].Text;
            var options = new List<string> { truth };
            for (int tries = 0; options.Count < choices; tries++)
            {
                int other = Draw(pool.Count);
                if (other == s) continue;
                var sentences = pool[other].Sentences;
                string distractor = sentences[1 + Draw(sentences.Count - 1)].Text;
                // Length-matched (within a factor 4/3 in characters) so raw log-likelihood cannot win by length alone; after
                // LengthTries draws any length is taken, so a story with an unusual sentence still gets its item.
                bool similar = distractor.Length * 3 >= truth.Length * 2 && distractor.Length * 3 <= truth.Length * 4
                               || tries >= LengthTries;
                if (similar && !options.Contains(distractor)) options.Add(distractor);
            }
            int gold = Draw(choices);
            (options[0], options[gold]) = (options[gold], options[0]);
            result.Add(new ChoiceItem(k + 1, options.Select(o => new ChoiceRequest(context, " " + o)).ToArray(), options, gold));
        }
        return result;
    }

    [GeneratedRegex(@"(?<=[.!?][""'”’]?)\s+(?=[""'“‘]?[A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex Boundary();
}

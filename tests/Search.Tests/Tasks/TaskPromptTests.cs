using Parquet.Schema;
using Parquet.Serialization;
using Search.Data.Tasks;
using Search.Model;

namespace Search.Tests.Tasks;

/// <summary>
/// Each task's prompt construction (lm-eval v0.4.12's templates, preprocessing, answer keys) on
/// hand-worked rows in the Hugging Face dataset's own schema (Tasks/Fixtures/*.jsonl).
/// </summary>
public sealed class TaskPromptTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Tasks", "Fixtures", name);

    private static LoadedTask Load(string task, string file) => TaskCatalog.Load($"{task}={Fixture(file)}", dataDir: null);

    private static void AssertItem(ChoiceItem item, int gold, params (string Context, string Continuation)[] requests)
    {
        Assert.Equal(gold, item.Gold);
        Assert.Equal(requests.Select(r => new ChoiceRequest(r.Context, r.Continuation)), item.Requests);
    }

    [Fact]
    public void BoolQ_is_passage_question_mark_answer_with_no_yes()
    {
        var task = Load("boolq", "boolq.jsonl");
        Assert.Equal("validation", task.Split);
        Assert.Equal([TaskMetricNames.Acc], task.Metrics);
        const string ctx = "Rayleigh scattering makes the daytime sky look blue.\nQuestion: is the sky blue on a clear day?\nAnswer:";
        AssertItem(task.Items[0], 1, (ctx, " no"), (ctx, " yes"));
        Assert.Equal(["no", "yes"], task.Items[0].Choices);
        Assert.Equal(0, task.Items[1].Gold);
    }

    [Fact]
    public void Piqa_is_question_goal_answer_with_the_two_solutions()
    {
        var task = Load("piqa", "piqa.jsonl");
        const string ctx = "Question: How do I keep bread fresh?\nAnswer:";
        AssertItem(task.Items[0], 0, (ctx, " Store it in a sealed bag."), (ctx, " Leave it in the rain."));
        Assert.Equal([TaskMetricNames.Acc, TaskMetricNames.AccNorm], task.Metrics);
    }

    [Fact]
    public void HellaSwag_capitalizes_ctx_b_and_strips_wikihow_brackets()
    {
        var task = Load("hellaswag", "hellaswag.jsonl");
        const string q0 = "Removing ice from car: Then, the man writes over the snow covering the window of a car, and a woman wearing winter clothes smiles. Then";
        AssertItem(task.Items[0], 3,
            (q0, " , the man adds wax to the windshield and cuts it."),
            (q0, " , a person board a ski lift, while two men supporting the head of the person wearing winter clothes snow as the we girls sled."),
            (q0, " , the man puts on a christmas coat, knitted with netting."),
            (q0, " , the man continues removing the snow on his car."));
        // " [title]" → ". ", "[header]" dropped, double spaces collapsed once; ctx_b "MAKE sure…" → "Make sure…" (capitalize lowers the rest).
        const string q1 = "Home and Garden: How to grow tomatoes. Pick a sunny spot. Make sure it gets light";
        AssertItem(task.Items[1], 0, (q1, "  Water them daily."), (q1, " Plant them in shade Never water."));
        Assert.Equal([" Water them daily.", "Plant them in shade Never water."], task.Items[1].Choices);
    }

    [Fact]
    public void WinoGrande_scores_the_shared_rest_of_the_sentence_after_each_option()
    {
        var task = Load("winogrande", "winogrande.jsonl");
        const string cont = " always got the harder cases.";
        AssertItem(task.Items[0], 0,
            ("Sarah was a much better surgeon than Maria so Sarah", cont),
            ("Sarah was a much better surgeon than Maria so Maria", cont));
        Assert.Equal([TaskMetricNames.Acc], task.Metrics);
    }

    [Fact]
    public void Arc_finds_the_gold_by_answer_key_among_letter_or_digit_labels()
    {
        var task = Load("arc_challenge", "arc_easy.jsonl");
        Assert.Equal("test", task.Split);
        const string ctx = "Question: Which of these is a source of light?\nAnswer:";
        AssertItem(task.Items[0], 1, (ctx, " the Moon"), (ctx, " the Sun"), (ctx, " a mirror"));
        Assert.Equal(0, task.Items[1].Gold);
        Assert.Equal(4, task.Items[1].Requests.Count);
    }

    [Fact]
    public void OpenBookQa_is_the_bare_question_stem_and_lstrips_the_answer_key()
    {
        var task = Load("openbookqa", "openbookqa.jsonl");
        const string ctx = "The sun is responsible for";
        Assert.Equal(3, task.Items[0].Gold);
        Assert.Equal(new ChoiceRequest(ctx, " plants sprouting, blooming and wilting"), task.Items[0].Requests[3]);
    }

    [Fact]
    public async Task A_parquet_file_with_nested_choices_reads_like_its_jsonl_twin()
    {
        using var temp = new Search.Tests.Data.TempFolder();
        string path = temp.File("tasks/arc_easy/test-00000-of-00001.parquet");
        var schema = new ParquetSchema(
            new DataField<string>("id"), new DataField<string>("question"),
            new StructField("choices", new ListField("text", new DataField<string>("element")), new ListField("label", new DataField<string>("element"))),
            new DataField<string>("answerKey"));
        var rows = new List<IDictionary<string, object?>>
        {
            new Dictionary<string, object?>
            {
                ["id"] = "Mercury_7175875", ["question"] = "Which of these is a source of light?",
                ["choices"] = new Dictionary<string, object> { ["text"] = Strings("the Moon", "the Sun", "a mirror"), ["label"] = Strings("A", "B", "C") },
                ["answerKey"] = "B",
            },
        };
        await using (var stream = File.Create(path))
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);
        var fromParquet = TaskCatalog.Load("arc_easy", temp.Path);          // found under DATA_DIR/tasks/arc_easy/test*.parquet
        var fromJsonl = Load("arc_easy", "arc_easy.jsonl");
        Assert.Equal(fromJsonl.Items[0].Requests, fromParquet.Items[0].Requests);
        Assert.Equal(fromJsonl.Items[0].Gold, fromParquet.Items[0].Gold);
        Assert.Equal(TaskRows.Sha256Of(path), fromParquet.Files[0].Sha256);
        Assert.Equal(64, fromParquet.Files[0].Sha256.Length);
    }

    // Parquet.Net 6 holds UTF-8 list elements as ReadOnlyMemory<char>.
    private static List<ReadOnlyMemory<char>?> Strings(params string[] values) => values.Select(v => (ReadOnlyMemory<char>?)v.AsMemory()).ToList();

    [Theory]
    [InlineData("piqa", "bad_missing_field.jsonl", "bad_missing_field.jsonl row 2: field 'sol2' is missing")]
    [InlineData("piqa", "bad_label.jsonl", "bad_label.jsonl row 1: field 'label' is 2, out of range for 2 choices")]
    [InlineData("arc_easy", "bad_empty_choices.jsonl", "bad_empty_choices.jsonl row 1: field 'choices.text' is an empty choice list")]
    public void Bad_rows_name_the_file_row_and_field(string task, string file, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => Load(task, file));
        Assert.EndsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_missing_task_folder_says_where_the_files_go()
    {
        using var temp = new Search.Tests.Data.TempFolder();
        var e = Assert.Throws<UserInputException>(() => TaskCatalog.Load("piqa", temp.Path));
        Assert.Contains(Path.Combine(temp.Path, "tasks", "piqa"), e.Message);
        Assert.Throws<UserInputException>(() => TaskCatalog.ParseList("piqa,nosuch", "--tasks"));
        Assert.Throws<UserInputException>(() => TaskCatalog.ParseList("piqa,piqa", "--tasks"));
    }

    [Fact]
    public void Story_next_items_are_fixed_by_seed_and_hold_the_true_next_sentence()
    {
        var stories = string.Join("\n<|endoftext|>\n", Enumerable.Range(0, 20).Select(i =>
            $"Once upon a time there was a cat named C{i}. C{i} liked fish number {i}. One day C{i} found a box. \"Look!\" said C{i}. That was the end for C{i}."));
        var a = StoryNextTask.Build(stories, items: 30, choices: 3, seed: 7);
        var b = StoryNextTask.Build(stories, items: 30, choices: 3, seed: 7);
        Assert.Equal(a.Select(i => (i.Gold, string.Join("|", i.Choices))), b.Select(i => (i.Gold, string.Join("|", i.Choices))));
        foreach (var item in a)
        {
            var n = int.Parse(item.Requests[0].Context.Split("named C")[1].Split('.')[0]);
            Assert.True(n >= 10, "only the second half of the stories is used");
            Assert.Contains($"C{n}", item.Choices[item.Gold]);                        // the true next sentence is from the same story
            Assert.All(item.Choices.Where((_, k) => k != item.Gold), c => Assert.DoesNotContain($"C{n} ", c + " "));
            Assert.All(item.Requests, r => Assert.StartsWith(" ", r.Continuation));
            Assert.DoesNotContain(item.Choices, c => c.StartsWith("Once upon", StringComparison.Ordinal));
        }
        Assert.True(a.Select(i => i.Gold).Distinct().Count() == 3, "the gold position varies");
        Assert.Equal(["Hi.", "\"Look!\" said C.", "Bye."], StoryNextTask.Sentences("Hi. \"Look!\" said C. Bye.").Select(s => s.Text));
    }
}

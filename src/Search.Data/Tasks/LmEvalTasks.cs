namespace Search.Data.Tasks;

/// <summary>
/// The seven common-sense tasks of the pruning papers, reproduced from lm-evaluation-harness
/// v0.4.12's task files (docs/tasks.md states each template in words). Target delimiter " " between
/// context and continuation everywhere; zero-shot, no description, so the context is doc_to_text.
/// </summary>
public static class LmEvalTasks
{
    public const string Version = "lm-eval v0.4.12";

    private static readonly string[] AccOnly = [TaskMetricNames.Acc];
    private static readonly string[] AccAndNorm = [TaskMetricNames.Acc, TaskMetricNames.AccNorm];

    public static IReadOnlyList<TaskDefinition> All { get; } =
    [
        new("boolq", "super_glue/boolq", "validation", AccOnly, $"{Version} lm_eval/tasks/super_glue/boolq/default.yaml", BoolQ),
        new("piqa", "piqa", "validation", AccAndNorm, $"{Version} lm_eval/tasks/piqa/piqa.yaml", Piqa),
        new("hellaswag", "Rowan/hellaswag", "validation", AccAndNorm, $"{Version} lm_eval/tasks/hellaswag/hellaswag.yaml + utils.py", HellaSwag),
        new("winogrande", "winogrande/winogrande_xl", "validation", AccOnly, $"{Version} lm_eval/tasks/winogrande/default.yaml + preprocess_winogrande.py", WinoGrande),
        new("arc_easy", "allenai/ai2_arc/ARC-Easy", "test", AccAndNorm, $"{Version} lm_eval/tasks/arc/arc_easy.yaml", Arc),
        new("arc_challenge", "allenai/ai2_arc/ARC-Challenge", "test", AccAndNorm, $"{Version} lm_eval/tasks/arc/arc_challenge.yaml", Arc),
        new("openbookqa", "allenai/openbookqa/main", "test", AccAndNorm, $"{Version} lm_eval/tasks/openbookqa/openbookqa.yaml", OpenBookQa),
    ];

    public static TaskDefinition? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"{{passage}}\nQuestion: {{question}}?\nAnswer:" with choices "no"/"yes", gold = label.</summary>
    public static ChoiceItem BoolQ(TaskRow r)
    {
        string context = $"{r.String("passage")}\nQuestion: {r.String("question")}?\nAnswer:";
        return Item(r, "label", "choices", r.Int("label"), [context], ["no", "yes"]);
    }

    /// <summary>"Question: {{goal}}\nAnswer:" with choices [sol1, sol2], gold = label.</summary>
    public static ChoiceItem Piqa(TaskRow r) =>
        Item(r, "label", "sol1", r.Int("label"), [$"Question: {r.String("goal")}\nAnswer:"], [r.String("sol1"), r.String("sol2")]);

    /// <summary>query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()); choices = preprocess(endings); gold = label.</summary>
    public static ChoiceItem HellaSwag(TaskRow r)
    {
        string query = HellaSwagText.Query(r.String("activity_label"), r.String("ctx_a"), r.String("ctx_b"));
        var endings = r.Strings("endings").Select(HellaSwagText.Preprocess).ToArray();
        return Item(r, "label", "endings", r.Int("label"), [query], endings);
    }

    /// <summary>
    /// Partial scoring: one context per option, sentence[:i] + option (i = the first "_"), all
    /// sharing the continuation " " + sentence[i+1:].strip(); gold = answer "1"/"2" → 0/1.
    /// </summary>
    public static ChoiceItem WinoGrande(TaskRow r)
    {
        string sentence = r.String("sentence");
        int blank = sentence.IndexOf('_', StringComparison.Ordinal);
        if (blank < 0) throw r.Error("sentence", "has no \"_\" blank");
        string target = PythonText.Strip(sentence[(blank + 1)..]);
        var contexts = new[] { sentence[..blank] + r.String("option1"), sentence[..blank] + r.String("option2") };
        string answer = r.String("answer");
        int gold = answer switch
        {
            "1" => 0,
            "2" => 1,
            _ => throw r.Error("answer", $"must be \"1\" or \"2\", got \"{answer}\""),
        };
        var requests = contexts.Select(c => new ChoiceRequest(c, " " + target)).ToArray();
        return new ChoiceItem(r.Row, requests, contexts, gold);
    }

    /// <summary>"Question: {{question}}\nAnswer:" with choices choices.text, gold = choices.label.index(answerKey).</summary>
    public static ChoiceItem Arc(TaskRow r) =>
        Keyed(r, $"Question: {r.String("question")}\nAnswer:", r.String("answerKey"));

    /// <summary>question_stem with choices choices.text, gold = choices.label.index(answerKey.lstrip()).</summary>
    public static ChoiceItem OpenBookQa(TaskRow r) =>
        Keyed(r, r.String("question_stem"), PythonText.LStrip(r.String("answerKey")));

    private static ChoiceItem Keyed(TaskRow r, string context, string answerKey)
    {
        var texts = r.Strings("choices", "text");
        var labels = r.Strings("choices", "label");
        if (texts.Count == 0) throw r.Error("choices.text", "is an empty choice list");
        if (labels.Count != texts.Count)
            throw r.Error("choices.label", $"has {labels.Count} labels for {texts.Count} choices.text");
        int gold = IndexOf(labels, answerKey);
        if (gold < 0) throw r.Error("answerKey", $"\"{answerKey}\" is not one of choices.label [{string.Join(", ", labels)}]");
        return Item(r, "answerKey", "choices.text", gold, [context], texts);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }

    /// <summary>Context + " " + choice for each choice (lm-eval's target delimiter), after checking the list and the gold index.</summary>
    internal static ChoiceItem Item(TaskRow r, string goldField, string choicesField, int gold, string[] context, IReadOnlyList<string> choices)
    {
        if (choices.Count == 0) throw r.Error(choicesField, "is an empty choice list");
        if (gold < 0 || gold >= choices.Count)
            throw r.Error(goldField, $"is {gold}, out of range for {choices.Count} choices");
        var requests = choices.Select(c => new ChoiceRequest(context[0], " " + c)).ToArray();
        return new ChoiceItem(r.Row, requests, choices, gold);
    }
}

using System.Text.RegularExpressions;

namespace Search.Data.Tasks;

/// <summary>lm-eval's HellaSwag preprocessing (lm_eval/tasks/hellaswag/utils.py).</summary>
public static partial class HellaSwagText
{
    /// <summary>strip; " [title]" → ". "; drop every "[…]" (non-greedy, within a line); "  " → " " once.</summary>
    public static string Preprocess(string text)
    {
        text = PythonText.Strip(text);
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = Brackets().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <summary>The query: preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()).</summary>
    public static string Query(string activityLabel, string ctxA, string ctxB) =>
        Preprocess(activityLabel + ": " + ctxA + " " + PythonText.Capitalize(ctxB));

    [GeneratedRegex(@"\[.*?\]", RegexOptions.CultureInvariant)]
    private static partial Regex Brackets();
}

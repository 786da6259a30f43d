using Search.Optimization;
using Search.Optimization.Levels;
using Search.Records;

namespace Search.Objective.Levels;

/// <summary>
/// The level search's sizes: how many hand-set contexts it continues (<see cref="Contexts"/>), the MLP
/// step as a share of a layer's channels, the fidelity stages' token budgets (the last is the one the
/// parents compete on), the fitness ("kl" to the dense model, or "ppl") and each trial's evolution run.
/// </summary>
public sealed record LevelSearchSettings(int Contexts, double MlpStep, IReadOnlyList<long> StageTokens, string Fitness,
    LevelEvolutionSettings Evolution, long MaxGramBytes = LevelSearchSettings.DefaultMaxGramBytes)
{
    /// <summary>Gram matrices a least-squares context may hold: 4 GB.</summary>
    public const long DefaultMaxGramBytes = 4L << 30;

    /// <summary>
    /// Stages of 256/1,024/4,096 tokens: half of the first setting's (512/2,048/8,192), which took twice GP-80's wall time on
    /// small-gqa at 50% (6.0 against 3.2 min) for +9.0%, where the half budget took 3.1 min for +9.8% (deep-gqa 50%: +11.3% in 3.5 min
    /// against +11.2% in 7.6; stories260K 50%: +9.8% in 1.8 min; README, Results).
    /// </summary>
    public static LevelSearchSettings Default { get; } =
        new(2, 0.02, [256, 1024, 4096], ObjectiveSettings.KlFitness, new LevelEvolutionSettings());

    public LevelSearchSettings Validate()
    {
        if (Contexts < 1) throw new OptimizationInputException("levels: contexts must be at least 1");
        if (!(MlpStep > 0 && MlpStep <= 0.5)) throw new OptimizationInputException($"levels: mlp_step must be in (0, 0.5], got {MlpStep}");
        if (StageTokens.Count < 1 || StageTokens.Any(t => t < 2) || StageTokens.Zip(StageTokens.Skip(1)).Any(p => p.Second < p.First))
            throw new OptimizationInputException("levels: stage_tokens must be a non-decreasing list of token counts of at least 2");
        if (Fitness is not (ObjectiveSettings.KlFitness or ObjectiveSettings.PerplexityFitness))
            throw new OptimizationInputException($"levels: fitness must be kl or ppl, got '{Fitness}'");
        return this with { Evolution = (Evolution with { Stages = StageTokens.Count }).Validate() };
    }
}

/// <summary>Reads the optional <c>"levels"</c> object of a space file (search-spaces/README.md); defaults for what it leaves out.</summary>
public static class LevelSearchSettingsJson
{
    private static readonly string[] Fields = ["contexts", "mlp_step", "stage_tokens", "fitness", "generations", "offspring", "parents", "survival", "max_moves"];

    public static LevelSearchSettings FromSpace(string spaceJson, string path)
    {
        var d = LevelSearchSettings.Default;
        using var doc = System.Text.Json.JsonDocument.Parse(spaceJson,
            new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!doc.RootElement.TryGetProperty("levels", out var o)) return d.Validate();
        string Where(string field) => $"{path}: $.levels.{field}";
        if (o.ValueKind != System.Text.Json.JsonValueKind.Object) throw new OptimizationInputException($"{path}: $.levels must be an object");
        foreach (var p in o.EnumerateObject())
            if (!Fields.Contains(p.Name)) throw new OptimizationInputException($"{Where(p.Name)}: unknown field; expected one of {string.Join(", ", Fields)}");
        int Int(string f, int fallback)
        {
            if (!o.TryGetProperty(f, out var v)) return fallback;
            return v.ValueKind == System.Text.Json.JsonValueKind.Number && v.TryGetInt32(out int i) ? i
                : throw new OptimizationInputException($"{Where(f)}: expected an integer");
        }
        double Real(string f, double fallback)
        {
            if (!o.TryGetProperty(f, out var v)) return fallback;
            return v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble()
                : throw new OptimizationInputException($"{Where(f)}: expected a number");
        }
        var stages = d.StageTokens;
        if (o.TryGetProperty("stage_tokens", out var s))
            stages = s.ValueKind == System.Text.Json.JsonValueKind.Array && s.EnumerateArray().All(x => x.ValueKind == System.Text.Json.JsonValueKind.Number && x.TryGetInt64(out _))
                ? s.EnumerateArray().Select(x => x.GetInt64()).ToArray()
                : throw new OptimizationInputException($"{Where("stage_tokens")}: expected an array of integers");
        string fitness = o.TryGetProperty("fitness", out var f) && f.ValueKind == System.Text.Json.JsonValueKind.String ? f.GetString()! : d.Fitness;
        var e = d.Evolution;
        return new LevelSearchSettings(Int("contexts", d.Contexts), Real("mlp_step", d.MlpStep), stages, fitness,
            new LevelEvolutionSettings(Int("generations", e.Generations), Int("offspring", e.Offspring), Int("parents", e.Parents),
                Real("survival", e.Survival), stages.Count, Int("max_moves", e.MaxMoves))).Validate();
    }
}

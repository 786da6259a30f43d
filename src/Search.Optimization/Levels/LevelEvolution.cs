namespace Search.Optimization.Levels;

/// <summary>Scores candidates on the search's fidelity stages (stage 0: fewest tokens). Lower is better.</summary>
public interface ILevelFitness
{
    double Evaluate(LevelGenome candidate, int stage);

    /// <summary>Makes a candidate the objective can build: the objective's exact budget repair applied (identity by default).</summary>
    LevelGenome Normalize(LevelGenome candidate) => candidate;
}

/// <summary>
/// One run of the multi-fidelity evolutionary allocation search (EvoPress-style, docs/methods.md §6b):
/// each generation mutates the parents into <see cref="LevelEvolutionSettings.Offspring"/> children, scores
/// all of them on the first stage's tokens, keeps the best quarter for the next stage and so on, and the
/// survivors of the last stage compete with the parents (elitist). Deterministic for a given random source;
/// no state outside the call, so a resumed study re-runs it identically.
/// </summary>
public static class LevelEvolution
{
    public sealed record Result(IReadOnlyList<(LevelGenome Genome, double Fitness)> Ranked, int[] EvaluatedPerStage);

    /// <param name="parents">Starting allocations (already normalized), best first.</param>
    public static Result Run(LevelProblem problem, IReadOnlyList<LevelGenome> parents, ILevelFitness fitness,
        LevelEvolutionSettings settings, Random rng)
    {
        if (parents.Count == 0) throw new ArgumentException("the evolution needs at least one starting allocation");
        int stages = settings.Stages;
        int last = stages - 1;
        var evaluated = new int[stages];
        var finalScore = new Dictionary<LevelGenome, double>();
        double Score(LevelGenome g, int stage)
        {
            if (stage == last && finalScore.TryGetValue(g, out double known)) return known;
            evaluated[stage]++;
            double f = fitness.Evaluate(g, stage);
            if (stage == last) finalScore[g] = f;
            return f;
        }
        var elite = parents.Distinct().Select(g => (Genome: g, Fitness: Score(g, last))).OrderBy(x => x.Fitness).ToList();
        var seen = new HashSet<LevelGenome>(elite.Select(e => e.Genome));
        for (int gen = 0; gen < settings.Generations; gen++)
        {
            var children = new List<LevelGenome>();
            for (int tries = 0; children.Count < settings.Offspring && tries < settings.Offspring * 8; tries++)
            {
                var parent = elite[rng.Next(Math.Min(elite.Count, settings.Parents))].Genome;
                var child = fitness.Normalize(problem.Mutate(parent, rng, settings.MaxMoves));
                if (seen.Add(child)) children.Add(child);
            }
            var pool = children;
            for (int stage = 0; stage < last && pool.Count > 1; stage++)
            {
                int keep = Math.Max(1, (int)Math.Ceiling(pool.Count * settings.Survival));
                pool = pool.Select(c => (c, f: Score(c, stage))).OrderBy(x => x.f).Take(keep).Select(x => x.c).ToList();
            }
            elite = elite.Concat(pool.Select(c => (Genome: c, Fitness: Score(c, last))))
                .OrderBy(x => x.Fitness).Take(Math.Max(settings.Parents, 1)).ToList();
        }
        var ranked = finalScore.Select(kv => (kv.Key, kv.Value)).OrderBy(x => x.Value).ToList();
        return new Result(ranked, evaluated);
    }
}

/// <summary>
/// Sizes of one evolution run: <see cref="Generations"/> generations of <see cref="Offspring"/> children from
/// the best <see cref="Parents"/>; stage k keeps the best <see cref="Survival"/> share for stage k+1.
/// </summary>
public sealed record LevelEvolutionSettings(int Generations = 10, int Offspring = 16, int Parents = 2, double Survival = 0.25,
    int Stages = 3, int MaxMoves = 3)
{
    public LevelEvolutionSettings Validate()
    {
        if (Generations < 1 || Offspring < 1 || Parents < 1 || Stages < 1 || MaxMoves < 1 || !(Survival > 0 && Survival <= 1))
            throw new OptimizationInputException("levels: generations, offspring, parents, stages and max moves must be at least 1 and survival in (0, 1]");
        return this;
    }
}

using Search.Optimization.Levels;

namespace Search.Optimization.Tests.Levels;

/// <summary>The level evolution on a synthetic allocation problem whose best allocation is known.</summary>
public sealed class LevelEvolutionTests
{
    // 6 layers, 4 attention units of cost 40 and 50 channels of cost 3 each; remove 35% of 6·(160+150) = 651 parameters.
    private static readonly LevelProblem Problem = new(
        Enumerable.Repeat(4, 6).ToArray(), Enumerable.Repeat(40L, 6).ToArray(),
        Enumerable.Repeat(50, 6).ToArray(), Enumerable.Repeat(3L, 6).ToArray(),
        TargetRemoved: 0.35 * 6 * (160 + 150), MlpStep: 2);

    /// <summary>Layer l's units hurt in proportion to its sensitivity: the best allocation prunes the insensitive layers.</summary>
    private sealed class Separable : ILevelFitness
    {
        private static readonly double[] Sensitivity = [5, 1, 0.2, 0.2, 1, 5];
        public int Calls;
        public double Evaluate(LevelGenome g, int stage)
        {
            Calls++;
            double f = 0;
            for (int l = 0; l < 6; l++) f += Sensitivity[l] * (Math.Pow(g.Attention[l], 2) * 4 + Math.Pow(g.Mlp[l] / 10.0, 2));
            return f + stage * 0.0; // every stage agrees here
        }
    }

    private static LevelGenome Uniform() => Problem.Repair(new LevelGenome(Enumerable.Repeat(1, 6).ToArray(), Enumerable.Repeat(10, 6).ToArray()), new Random(0));

    [Fact]
    public void Every_candidate_meets_the_budget_within_one_channel_and_respects_the_bounds()
    {
        var rng = new Random(3);
        var g = Uniform();
        for (int i = 0; i < 500; i++)
        {
            g = Problem.Mutate(g, rng);
            double removed = Problem.Removed(g);
            Assert.InRange(removed, Problem.TargetRemoved, Problem.TargetRemoved + 3);
            Assert.All(g.Attention, a => Assert.InRange(a, 0, 4));
            Assert.All(g.Mlp, m => Assert.InRange(m, 0, 50));
        }
    }

    [Fact]
    public void The_search_moves_pruning_to_the_insensitive_layers_and_beats_its_start()
    {
        var fitness = new Separable();
        var start = Uniform();
        var result = LevelEvolution.Run(Problem, [start], fitness, new LevelEvolutionSettings(Generations: 30, Offspring: 16), new Random(1));
        var best = result.Ranked[0];
        Assert.True(best.Fitness < 0.5 * fitness.Evaluate(start, 2), $"best {best.Fitness} vs start {fitness.Evaluate(start, 2)}");
        Assert.True(best.Genome.Mlp[2] + best.Genome.Mlp[3] > best.Genome.Mlp[0] + best.Genome.Mlp[5], best.Genome.ToString());
        // Multi-fidelity: every generation scores all its children on stage 0 and only survivors later.
        Assert.True(result.EvaluatedPerStage[0] > result.EvaluatedPerStage[1] && result.EvaluatedPerStage[1] > result.EvaluatedPerStage[2] - 2,
            string.Join("/", result.EvaluatedPerStage));
    }

    [Fact]
    public void The_same_random_source_gives_the_same_ranking()
    {
        LevelEvolution.Result Run() => LevelEvolution.Run(Problem, [Uniform()], new Separable(), new LevelEvolutionSettings(Generations: 5), new Random(7));
        var a = Run();
        var b = Run();
        Assert.Equal(a.Ranked.Select(r => r.Genome), b.Ranked.Select(r => r.Genome));
        Assert.Equal(a.EvaluatedPerStage, b.EvaluatedPerStage);
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<OptimizationInputException>(() => new LevelEvolutionSettings(Generations: 0).Validate());
        Assert.Throws<OptimizationInputException>(() => new LevelEvolutionSettings(Survival: 1.5).Validate());
    }
}

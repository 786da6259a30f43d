using System.Text.Json;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Samplers;

public sealed class HybridSamplerTests
{
    /// <summary>Light GP settings: these tests check bookkeeping, not search quality.</summary>
    private static HybridSampler Sampler(HybridSettings? settings = null) =>
        new(settings ?? new HybridSettings(Gp: new GpSamplerSettings(StartupTrials: 6, RandomCandidates: 64, FitIterations: 20)));

    private static LayerRatiosDimension[] Ratios(SearchSpace space) => space.Dimensions.OfType<LayerRatiosDimension>().ToArray();

    private static List<FrozenTrial> Optimize(AllocationBenchmark benchmark, int trials, int seed, HybridSampler? sampler = null, bool baselines = true)
    {
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, benchmark.Space, sampler ?? Sampler(), seed);
        if (baselines)
            foreach (var (tag, parameters) in benchmark.Baselines()) study.Enqueue(parameters, tag);
        study.Optimize(benchmark.Evaluate, trials);
        return study.Trials.ToList();
    }

    private static string Role(FrozenTrial t) => t.UserAttr(UserAttrKeys.HybridRole) ?? "baseline";

    private static int? Attr(FrozenTrial t, string key) => t.UserAttr(key) is { } text ? int.Parse(text) : null;

    [Fact]
    public void Given_two_studies_with_the_same_seed_When_optimized_Then_params_and_attrs_are_identical_and_another_seed_differs()
    {
        var benchmark = new AllocationBenchmark(layers: 8);
        string Describe(List<FrozenTrial> trials) => string.Join("\n", trials.Select(t =>
            $"{t.Number} {ParamSet.Describe(t.Params)} {string.Join(",", t.UserAttrs.Where(a => a.Key != UserAttrKeys.AllocationRatios).OrderBy(a => a.Key).Select(a => a.Key + "=" + a.Value))}"));
        var first = Describe(Optimize(benchmark, 60, seed: 3));
        Assert.Equal(first, Describe(Optimize(benchmark, 60, seed: 3)));
        Assert.NotEqual(first, Describe(Optimize(benchmark, 60, seed: 4)));
    }

    [Fact]
    public void Given_a_study_interrupted_and_resumed_When_it_finishes_Then_it_equals_an_uninterrupted_run()
    {
        var benchmark = new AllocationBenchmark(layers: 6);
        var straight = Optimize(benchmark, 50, seed: 9).Select(t => ParamSet.Describe(t.Params)).ToList();
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, benchmark.Space, Sampler(), 9);
        foreach (var (tag, parameters) in benchmark.Baselines()) study.Enqueue(parameters, tag);
        study.Optimize(benchmark.Evaluate, 23);
        var resumed = TestData.NewStudy(storage, benchmark.Space, Sampler(), 9);
        resumed.Optimize(benchmark.Evaluate, 50);
        Assert.Equal(straight, resumed.Trials.Select(t => ParamSet.Describe(t.Params)));
    }

    [Theory]
    [InlineData(22)]
    [InlineData(80)]
    public void Given_22_or_80_layers_When_the_hybrid_proposes_Then_every_vector_is_on_the_grid_and_meets_the_budget(int layers)
    {
        var benchmark = new AllocationBenchmark(layers);
        var trials = Optimize(benchmark, 150, seed: 1);
        var dimensions = Ratios(benchmark.Space);
        Assert.Equal(150, trials.Count);
        foreach (var trial in trials.Where(t => Role(t) != "baseline"))
            foreach (var dimension in dimensions)
            {
                var levels = dimension.ToLevels(trial.Params[dimension.Name]);
                Assert.NotNull(levels);
                Assert.True(dimension.MeetsBudget(levels), $"trial {trial.Number} {dimension.Name} misses the budget");
            }
        Assert.Contains(trials, t => Role(t) == "evo");
        Assert.Contains(trials, t => Role(t) == "gp");
    }

    [Fact]
    public void Given_hand_set_allocations_When_the_first_generation_starts_Then_its_parent_is_the_best_one_snapped_and_the_others_join_stage_0()
    {
        var benchmark = new AllocationBenchmark(layers: 12);
        var trials = Optimize(benchmark, 40, seed: 2);
        var dimensions = Ratios(benchmark.Space);
        var first = trials.First(t => Role(t) == "evo");
        Assert.Equal(("0", "0", "0"), (first.UserAttr(UserAttrKeys.EvoGeneration), first.UserAttr(UserAttrKeys.EvoStage), first.UserAttr(UserAttrKeys.EvoCandidate)));

        // The best baseline is FLAP al-am: its reported allocation, snapped under the budget, is the parent.
        var flap = trials.Single(t => t.UserAttr(UserAttrKeys.Baseline) == "flap-wifv-al-am-bias");
        var reported = JsonSerializer.Deserialize<Dictionary<string, double[]>>(flap.UserAttr(UserAttrKeys.AllocationRatios)!)!;
        var parent = JsonSerializer.Deserialize<Dictionary<string, double[]>>(first.UserAttr(UserAttrKeys.EvoParent)!)!;
        foreach (var dimension in dimensions)
        {
            var snapped = dimension.SnapToBudget(reported[dimension.Module])!;
            Assert.True(dimension.MeetsBudget(snapped));
            Assert.Equal(dimension.FromLevels(snapped), ParamValue.Of(parent[dimension.Name]));
            // Snapping moves no layer by more than a level from its reported fraction (plus the budget shift).
            Assert.All(reported[dimension.Module].Zip(snapped), p => Assert.InRange(Math.Abs(p.First - dimension.RatioOfLevel(p.Second)), 0, 1.5 * dimension.Step));
        }
        // The other hand-set allocation (uniform, reported by the two per-layer baselines) is candidate 0 of stage 0.
        var uniform = Genome.AtTarget(dimensions);
        Assert.Equal(uniform, Genome.FromParams(dimensions, first.Params));
        // Design and GP trials before generation 0 pair their context with the best hand-set allocation.
        var design = trials.First(t => Role(t) == "design");
        Assert.Equal(ParamValue.Of(parent["attention_ratios"]), design.Params["attention_ratios"]);
    }

    [Fact]
    public void Given_baselines_without_allocation_ratios_When_the_first_generation_starts_Then_they_are_ignored_and_it_starts_uniform()
    {
        var benchmark = new AllocationBenchmark(layers: 8);
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, benchmark.Space, Sampler(), 2);
        foreach (var (tag, parameters) in benchmark.Baselines()) study.Enqueue(parameters, tag);
        // An objective that does not write the attribute (al-am baselines before the objective reports allocations).
        study.Optimize(trial => benchmark.Observed(trial.Params, trial.FidelityTokens), 30);
        var first = study.Trials.First(t => Role(t) == "evo");
        var parent = JsonSerializer.Deserialize<Dictionary<string, double[]>>(first.UserAttr(UserAttrKeys.EvoParent)!)!;
        Assert.All(parent.Values, ratios => Assert.All(ratios, r => Assert.Equal(0.3, r, 10)));
        Assert.Null(first.UserAttr(UserAttrKeys.EvoSeeds));
    }

    [Fact]
    public void Given_a_long_search_Then_generations_move_coarse_first_and_fine_later_and_stages_use_growing_token_budgets()
    {
        var benchmark = new AllocationBenchmark(layers: 22);
        var trials = Optimize(benchmark, 400, seed: 0);
        var dimensions = Ratios(benchmark.Space);
        var generations = trials.Where(t => Role(t) == "evo").GroupBy(t => Attr(t, UserAttrKeys.EvoGeneration)!.Value).OrderBy(g => g.Key).ToList();
        var factors = generations.Select(g => Attr(g.First(), UserAttrKeys.EvoLevelFactor)!.Value).ToList();
        Assert.True(factors[0] == 4, string.Join(" ", factors));
        Assert.True(factors.SequenceEqual(factors.OrderDescending()), string.Join(" ", factors));
        Assert.True(factors.Contains(2) && factors[^1] == 1, string.Join(" ", factors));

        foreach (var generation in generations)
        {
            var header = generation.Single(t => t.UserAttr(UserAttrKeys.EvoStage) == "0" && t.UserAttr(UserAttrKeys.EvoCandidate) == "0");
            var parent = Genome.FromParams(dimensions, JsonSerializer.Deserialize<Dictionary<string, double[]>>(header.UserAttr(UserAttrKeys.EvoParent)!)!
                .ToDictionary(p => p.Key, p => ParamValue.Of(p.Value)))!;
            var factor = Attr(header, UserAttrKeys.EvoLevelFactor)!.Value;
            // Children of the parent move by whole multiples of the generation's factor (seeds of generation 0 aside).
            foreach (var child in generation.Where(t => t.UserAttr(UserAttrKeys.EvoStage) == "0" && t.UserAttr(UserAttrKeys.EvoCandidate) != "parent"
                                                        && (generation.Key > 0 || t.UserAttr(UserAttrKeys.EvoCandidate) != "0")))
            {
                var levels = Genome.FromParams(dimensions, child.Params)!;
                var deltas = levels.LevelsPerModuleType.Zip(parent.LevelsPerModuleType).SelectMany(p => p.First.Zip(p.Second, (a, b) => a - b)).ToList();
                Assert.Contains(deltas, d => d != 0);
                Assert.All(deltas, d => Assert.Equal(0, d % factor));
            }
            Assert.All(generation, t => Assert.Equal(t.UserAttr(UserAttrKeys.EvoStage) == "0" ? 1024 : 4096, t.FidelityTokens));
        }
        // The search improved on the best hand-set config.
        Assert.True(benchmark.Reported(trials) < benchmark.Baselines().Min(b => benchmark.TrueValue(b.Params)));
    }

    [Fact]
    public void Given_a_stage_When_it_is_selected_Then_the_best_candidates_are_promoted_and_the_winner_must_beat_the_parent()
    {
        var benchmark = new AllocationBenchmark(layers: 10);
        var trials = Optimize(benchmark, 120, seed: 5);
        foreach (var generation in trials.Where(t => Role(t) == "evo").GroupBy(t => t.UserAttr(UserAttrKeys.EvoGeneration)))
        {
            var stage0 = generation.Where(t => t.UserAttr(UserAttrKeys.EvoStage) == "0" && t.UserAttr(UserAttrKeys.EvoCandidate) != "parent").ToList();
            var stage1 = generation.Where(t => t.UserAttr(UserAttrKeys.EvoStage) == "1" && t.UserAttr(UserAttrKeys.EvoCandidate) is not ("parent" or "merged")).ToList();
            if (stage0.Count < 8 || stage1.Count == 0) continue;
            var promoted = stage0.OrderBy(t => t.Value).ThenBy(t => int.Parse(t.UserAttr(UserAttrKeys.EvoCandidate)!)).Take(3)
                .Select(t => t.UserAttr(UserAttrKeys.EvoCandidate)).ToList();
            Assert.Equal(promoted, stage1.Select(t => t.UserAttr(UserAttrKeys.EvoCandidate)));
            Assert.All(stage1.Zip(stage0.Where(t => promoted.Contains(t.UserAttr(UserAttrKeys.EvoCandidate))).OrderBy(t => promoted.IndexOf(t.UserAttr(UserAttrKeys.EvoCandidate)))),
                p => Assert.Equal(ParamSet.Describe(p.First.Params), ParamSet.Describe(p.Second.Params)));
        }
        // Elitism: each generation's parent value never gets worse within a context.
        var headers = trials.Where(t => Role(t) == "evo" && t.UserAttr(UserAttrKeys.EvoStage) == "0" && t.UserAttr(UserAttrKeys.EvoCandidate) == "0").ToList();
        foreach (var (previous, next) in headers.Zip(headers.Skip(1)))
            if (ParamSet.Describe(Context(previous)) == ParamSet.Describe(Context(next))
                && previous.UserAttr(UserAttrKeys.EvoParentValue) is { } before && next.UserAttr(UserAttrKeys.EvoParentValue) is { } after)
                Assert.True(double.Parse(after) <= double.Parse(before));
    }

    private static IReadOnlyDictionary<string, ParamValue> Context(FrozenTrial t) =>
        ParamSet.Freeze(t.Params.Where(p => !p.Key.EndsWith("_ratios", StringComparison.Ordinal)));

    [Fact]
    public void Given_a_branch_that_ignores_the_allocation_When_a_generation_there_scores_all_children_alike_Then_the_next_evolves_elsewhere()
    {
        var space = SearchSpace.Parse("""
            { "params": [
                { "name": "structure", "kind": "categorical", "choices": ["al-am", "per-layer"] },
                { "name": "x", "kind": "float", "low": 0, "high": 1 },
                { "name": "attention_ratios", "kind": "layer_ratios", "module": "attention", "levels": { "min": 0.0, "max": 0.8, "step": 0.1 }, "target": 0.3 } ] }
            """).BindLayerCount(8);
        using var storage = new InMemoryStorage();
        var study = TestData.NewStudy(storage, space, Sampler(new HybridSettings(GpTrialsPerGeneration: 0, Gp: new GpSamplerSettings(StartupTrials: 4, RandomCandidates: 64, FitIterations: 20))), 1);
        // al-am is better than any per-layer allocation and ignores the vector.
        study.Optimize(trial => trial.Params["structure"].AsText == "al-am" ? 0.1 + trial.Params["x"].AsReal * 0.01
            : 1.0 + trial.Params["attention_ratios"].AsVector.Select((r, l) => Math.Abs(r - 0.05 * l)).Sum(), 4 + 2 + 5);
        var evo = study.Trials.Where(t => Role(t) == "evo").ToList();
        // Two children scored alike end generation 0 at once; generation 1 evolves per-layer.
        var first = evo.Where(t => t.UserAttr(UserAttrKeys.EvoGeneration) == "0").ToList();
        Assert.Equal(2, first.Count);
        Assert.All(first, t => Assert.Equal("al-am", t.Params["structure"].AsText));
        var next = evo.Where(t => t.UserAttr(UserAttrKeys.EvoGeneration) == "1").ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, t => Assert.Equal("per-layer", t.Params["structure"].AsText));
    }

    [Fact]
    public void Given_four_workers_asking_concurrently_When_stages_still_run_Then_fillers_are_proposed_instead_of_errors()
    {
        var benchmark = new AllocationBenchmark(layers: 10);
        var storage = new InMemoryStorage();
        var beats = new HeartbeatSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));
        var workers = Enumerable.Range(0, 4).Select(k => Study.CreateOrResume(storage, TestData.Record("s", benchmark.Space, HybridSampler.SamplerName, 6),
            benchmark.Space, Sampler(), new WorkerIdentity($"host-{k}", 100 + k, 1), beats)).ToList();
        foreach (var (tag, parameters) in benchmark.Baselines()) workers[0].Enqueue(parameters, tag);
        OnOwnThreads(workers, worker => worker.Optimize(trial =>
        {
            // Slower than a proposal, so that workers find stages handed out and still running.
            Thread.Sleep(20 + trial.Number % 5 * 30);
            return benchmark.Evaluate(trial);
        }, 90));

        var trials = storage.GetTrials("s");
        Assert.Equal(90, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Contains(trials, t => Role(t) == "evo" && t.UserAttr(UserAttrKeys.EvoStage) == "1");
        // Workers that found a stage handed out and still running got GP trials without a slot.
        Assert.Contains(trials, t => Role(t) == "gp" && t.UserAttr(UserAttrKeys.HybridSlot) is null);
        var dimensions = Ratios(benchmark.Space);
        Assert.All(trials, t => Assert.All(dimensions, d => Assert.True(d.MeetsBudget(d.ToLevels(t.Params[d.Name])!))));
    }

    [Fact]
    public void Given_a_space_that_only_searches_allocations_When_workers_wait_on_a_stage_Then_they_get_probes_at_the_top_fidelity()
    {
        var space = TestData.DarwinSpace(layers: 8);
        var storage = new InMemoryStorage();
        var beats = new HeartbeatSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));
        var workers = Enumerable.Range(0, 3).Select(k => Study.CreateOrResume(storage, TestData.Record("s", space, HybridSampler.SamplerName, 6),
            space, Sampler(), new WorkerIdentity($"host-{k}", 100 + k, 1), beats)).ToList();
        OnOwnThreads(workers, worker => worker.Optimize(trial =>
        {
            // Slower than a proposal even on a loaded 2-core machine, so waiting workers are certain to occur.
            Thread.Sleep(25 + trial.Number % 5 * 5);
            return TestData.SyntheticLoss(trial.Params);
        }, 60));

        var trials = storage.GetTrials("s");
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.DoesNotContain(trials, t => Role(t) is "design" or "gp");
        Assert.Contains(trials, t => Role(t) == "probe");
        Assert.All(trials.Where(t => Role(t) == "probe"), t => Assert.Equal(4096, t.FidelityTokens));
        Assert.Equal("0", trials[0].UserAttr(UserAttrKeys.EvoGeneration));
    }

    [Fact]
    public void Given_a_space_without_layer_ratios_When_the_hybrid_asks_Then_it_says_to_use_the_gp()
    {
        using var storage = new InMemoryStorage();
        var space = SearchSpace.Parse("""{ "params": [ { "name": "x", "kind": "float", "low": 0, "high": 1 } ] }""");
        var study = TestData.NewStudy(storage, space, new HybridSampler(), 1);
        Assert.Contains("use the gp sampler", Assert.Throws<OptimizationInputException>(() => study.Ask()).Message);
    }

    [Fact]
    public void Given_reported_fractions_off_the_grid_When_snapped_Then_levels_are_nearest_and_meet_the_budget()
    {
        var dimension = (LayerRatiosDimension)TestData.DarwinSpace(layers: 5)["attention_ratios"];
        // Mean 0.35 where the target is 0.3: the snap shifts everything by the same amount and rounds.
        Assert.Equal([0, 1, 3, 4, 7], dimension.SnapToBudget([0.02, 0.18, 0.33, 0.41, 0.81])!);
        Assert.Equal([3, 3, 3, 3, 3], dimension.SnapToBudget([0.3, 0.3, 0.3, 0.3, 0.3])!);
        Assert.True(dimension.MeetsBudget(dimension.SnapToBudget([0.9, 0.9, 0.9, 0.0, 0.0])!));
        Assert.Null(dimension.SnapToBudget([0.3, 0.3]));
        Assert.Null(dimension.SnapToBudget([0.3, 0.3, double.NaN, 0.3, 0.3]));
    }

    [Fact]
    public void Given_coarse_moves_Then_they_keep_the_budget_and_the_grid_and_halve_where_the_grid_ends()
    {
        var dimensions = Ratios(TestData.DarwinSpace(layers: 6));
        var rng = new Random(3);
        var parent = Genome.AtTarget(dimensions);
        for (var round = 0; round < 500; round++)
        {
            var child = CoarseMutation.Mutate(parent, dimensions, factor: 4, maxMoves: 3, rng);
            Assert.All(child.LevelsPerModuleType.Zip(dimensions), p => Assert.True(p.Second.MeetsBudget(p.First)));
            Assert.All(child.LevelsPerModuleType.SelectMany(l => l), level => Assert.InRange(level, 0, dimensions[0].MaxLevel));
            parent = child;
        }
        // Target level 3 of 8: from the uniform start no layer can give 4 levels, so the move halves to 2.
        var levels = Enumerable.Repeat(3, 6).ToArray();
        Assert.True(CoarseMutation.TryMove(levels, 8, 4, new Random(1)));
        Assert.Equal([1, 3, 3, 3, 3, 5], levels.Order());
    }

    /// <summary>
    /// Every worker on a thread of its own, started together: thread-pool workers (Parallel.ForEach)
    /// start one by one on a 2-core machine, so the concurrency a test is about may never happen.
    /// </summary>
    private static void OnOwnThreads(IReadOnlyList<Study> workers, Action<Study> work)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = workers.Select(w => new Thread(() =>
        {
            try { work(w); }
            catch (Exception e) { errors.Enqueue(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }
}

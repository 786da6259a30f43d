using System.Globalization;
using Search.Optimization.Spaces;
using Search.Optimization.Trials;

namespace Search.Optimization.Samplers;

/// <summary>
/// DarwinLM-style evolutionary search over the space's layer_ratios dimensions (docs/methods.md §6),
/// driven through ask/tell. Every evaluation is a trial: a child scored at stage s is one trial,
/// the same child promoted to stage s+1 is another trial with the same params and a larger
/// <see cref="UserAttrKeys.FidelityTokens"/>, which the objective must honour.
/// <para>
/// No state is kept between calls: the generation, stage and next candidate are rebuilt from the
/// history (trials tagged with <see cref="UserAttrKeys.EvoGeneration"/>/<see cref="UserAttrKeys.EvoStage"/>),
/// and generation g's offspring come from a stream seeded by (seed, g). Trials without these tags
/// (enqueued baselines) are ignored. Failed or pruned evaluations rank last.
/// </para>
/// <para>
/// Selection needs a stage's results before the next stage can be proposed, so this sampler runs
/// one trial at a time; asking while a stage still has Running trials is an error.
/// </para>
/// </summary>
public sealed class EvolutionarySampler(EvolutionSettings? settings = null) : ISampler
{
    public const string SamplerName = "evolutionary";
    private const string ParentCandidate = "parent";

    private readonly EvolutionSettings _settings = settings ?? EvolutionSettings.DarwinLm;

    public string Name => SamplerName;

    public Proposal Propose(SamplingContext context)
    {
        _settings.Validate();
        var space = context.Space;
        var dimensions = space.Dimensions.OfType<LayerRatiosDimension>().ToArray();
        if (dimensions.Length == 0)
            throw new OptimizationInputException($"evolutionary sampler: space '{space.Name}' has no layer_ratios dimension to evolve");
        var searchedOthers = space.Dimensions.Where(d => d.IsSearched && d is not LayerRatiosDimension).Select(d => d.Name).ToArray();
        if (searchedOthers.Length > 0)
            throw new OptimizationInputException(
                $"evolutionary sampler: space '{space.Name}' also searches {string.Join(", ", searchedOthers)}; make them fixed or use the gp sampler");

        var byStage = context.History
            .Where(t => t.UserAttr(UserAttrKeys.EvoGeneration) is not null)
            .OrderBy(t => t.Number)
            .ToLookup(t => (Generation: AttrInt(t, UserAttrKeys.EvoGeneration), Stage: AttrInt(t, UserAttrKeys.EvoStage)));

        var parent = Genome.AtTarget(dimensions);
        for (var generation = 0; ; generation++)
        {
            var offspring = BudgetPreservingMutation.Offspring(
                parent, dimensions, _settings.Offspring, TrialRandom.For(context.Seed, generation, "evo-offspring"));
            var candidates = offspring.Select((genome, i) => (Id: i.ToString(CultureInfo.InvariantCulture), Genome: genome)).ToList();
            for (var stage = 0; stage < _settings.Stages; stage++)
            {
                if (stage == _settings.Stages - 1) candidates.Add((ParentCandidate, parent));
                var evaluated = byStage[(generation, stage)].ToArray();
                if (evaluated.Length < candidates.Count)
                    return Propose(space, dimensions, generation, stage, candidates[evaluated.Length]);
                if (evaluated.Any(t => t.State == TrialState.Running))
                    throw new OptimizationInputException(
                        $"evolutionary sampler: generation {generation} stage {stage} still has Running trials; it runs one trial at a time");
                candidates = candidates
                    .Select((candidate, i) => (Candidate: candidate, Fitness: Fitness(evaluated[i], candidate.Id), Index: i))
                    .OrderBy(c => c.Fitness).ThenBy(c => c.Index)
                    .Take(_settings.StageKeep[stage])
                    .Select(c => c.Candidate)
                    .ToList();
            }
            parent = candidates[0].Genome;
        }
    }

    private Proposal Propose(SearchSpace space, LayerRatiosDimension[] dimensions, int generation, int stage, (string Id, Genome Genome) candidate)
    {
        var genomeParams = candidate.Genome.ToParams(dimensions).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var parameters = ParamSet.Freeze(space.Dimensions.Select(d =>
            KeyValuePair.Create(d.Name, genomeParams.TryGetValue(d.Name, out var value) ? value : ((FixedDimension)d).Value)));
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UserAttrKeys.EvoGeneration] = generation.ToString(CultureInfo.InvariantCulture),
            [UserAttrKeys.EvoStage] = stage.ToString(CultureInfo.InvariantCulture),
            [UserAttrKeys.EvoCandidate] = candidate.Id,
            [UserAttrKeys.FidelityTokens] = _settings.StageTokens[stage].ToString(CultureInfo.InvariantCulture),
        };
        return new Proposal(parameters, attrs);
    }

    private static double Fitness(FrozenTrial trial, string expectedCandidate)
    {
        if (trial.UserAttr(UserAttrKeys.EvoCandidate) != expectedCandidate)
            throw new InvalidOperationException(
                $"trial {trial.Number} evaluated candidate '{trial.UserAttr(UserAttrKeys.EvoCandidate)}' where history replay expects '{expectedCandidate}'; was the study's seed or space changed?");
        return trial.State == TrialState.Complete && trial.Value is { } value && double.IsFinite(value) ? value : double.PositiveInfinity;
    }

    private static int AttrInt(FrozenTrial trial, string key) => int.Parse(trial.UserAttr(key)!, CultureInfo.InvariantCulture);
}

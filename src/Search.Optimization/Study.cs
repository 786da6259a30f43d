using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization;

/// <summary>
/// Ask/tell over a named study in a storage. <see cref="Ask"/> persists the trial as Running before
/// returning it; <see cref="Tell(Trial, TrialOutcome)"/> finishes it. <see cref="Optimize(Func{Trial, TrialOutcome}, int)"/>
/// is a thin loop around both.
/// <para>
/// Order of what Ask hands out: (1) Running trials left by a dead worker process, re-run under
/// their own number with their own params (no new trial is created, so the list of trials equals
/// an uninterrupted run's); (2) enqueued fixed configs, in queue order; (3) the sampler's proposal
/// for the next number, computed from the trials numbered below it.
/// </para>
/// </summary>
public sealed class Study
{
    private readonly ITrialStorage _storage;
    private readonly ISampler _sampler;
    private readonly string _worker;

    private Study(ITrialStorage storage, StudyRecord record, SearchSpace space, ISampler sampler, WorkerIdentity worker)
    {
        _storage = storage;
        Record = record;
        Space = space;
        _sampler = sampler;
        _worker = worker.ToString();
    }

    public StudyRecord Record { get; }
    public SearchSpace Space { get; }
    public string Name => Record.Name;

    /// <summary>
    /// Creates the study or reopens it (resume). The record must match a stored one in model hash,
    /// space JSON, layer count, sampler and seed (see <see cref="StudyRecord.EnsureCompatibleWith"/>).
    /// </summary>
    /// <param name="space">Already bound to the model's layer count when it has layer_ratios dimensions.</param>
    /// <param name="worker">Identity written on trials this object runs; defaults to the current process (tests inject a dead one to simulate a crash).</param>
    public static Study CreateOrResume(ITrialStorage storage, StudyRecord record, SearchSpace space, ISampler sampler, WorkerIdentity? worker = null)
    {
        if (space.HasLayerRatios && space.LayerCount is null)
            throw new OptimizationInputException($"study '{record.Name}': bind the space to the model's layer count before creating the study");
        if (record.LayerCount != space.LayerCount)
            throw new OptimizationInputException($"study '{record.Name}': record says {record.LayerCount} layers, space is bound to {space.LayerCount}");
        if (record.SamplerName != sampler.Name)
            throw new OptimizationInputException($"study '{record.Name}': record names sampler '{record.SamplerName}' but '{sampler.Name}' was given");
        var stored = storage.CreateOrOpenStudy(record);
        return new Study(storage, stored, space, sampler, worker ?? WorkerIdentity.Current);
    }

    /// <summary>
    /// Reopens a study from its stored record alone: the space is parsed from the stored JSON and
    /// bound to the stored layer count, the sampler is created by its stored name with default settings.
    /// </summary>
    public static Study Resume(ITrialStorage storage, string name, WorkerIdentity? worker = null)
    {
        var record = storage.FindStudy(name) ?? throw new OptimizationInputException($"no study named '{name}' in the store");
        var space = SearchSpace.Parse(record.SpaceJson, $"stored space of study '{name}'");
        if (space.HasLayerRatios)
            space = space.BindLayerCount(record.LayerCount
                ?? throw new OptimizationInputException($"study '{name}' has layer_ratios dimensions but no stored layer count"));
        return CreateOrResume(storage, record, space, SamplerFactory.Create(record.SamplerName), worker);
    }

    /// <summary>Queues a fixed config (tagged, e.g. "flap-wifv-al-am-bias"); false if that tag was queued before.</summary>
    public bool Enqueue(IReadOnlyDictionary<string, ParamValue> parameters, string tag) =>
        _storage.Enqueue(Name, [new QueuedConfigDraft(tag, parameters)]) == 1;

    /// <summary>Queues all of the space's baselines in one write; returns how many were new.</summary>
    public int EnqueueBaselines() => _storage.Enqueue(Name, Space.BaselineDrafts());

    public IReadOnlyList<FrozenTrial> Trials => _storage.GetTrials(Name);

    /// <summary>Lowest value among Complete trials (ties: lower number); null when none completed.</summary>
    public FrozenTrial? BestTrial => Best(Trials);

    public Trial Ask()
    {
        while (true)
        {
            var trials = _storage.GetTrials(Name);
            foreach (var stale in StaleRunning(trials))
                if (_storage.TryReassignRunningTrial(Name, stale.Number, stale.Worker, _worker))
                {
                    _storage.SetTrialUserAttr(Name, stale.Number, UserAttrKeys.ReclaimedFrom, stale.Worker);
                    return new Trial(_storage, Name, _storage.GetTrial(Name, stale.Number));
                }

            var number = trials.Count == 0 ? 0 : trials[^1].Number + 1;
            var proposal = NextQueued(trials) ?? _sampler.Propose(new SamplingContext(Space, trials, Record.Seed, number));
            var trial = new FrozenTrial(
                Number: number,
                State: TrialState.Running,
                Params: proposal.Params,
                Value: null,
                Scores: [],
                UserAttrs: new Dictionary<string, string>(proposal.UserAttrs, StringComparer.Ordinal),
                Error: null,
                StartUtc: DateTime.UtcNow,
                EndUtc: null,
                Seed: TrialRandom.DeriveSeed(Record.Seed, number, "objective"),
                Worker: _worker);
            // Another worker may have claimed this number since we read the history: re-read and re-propose.
            if (_storage.TryCreateTrial(Name, trial)) return new Trial(_storage, Name, trial);
        }
    }

    /// <summary>
    /// Finishes a trial. A Complete outcome whose value is NaN or infinite becomes Failed with
    /// reason "objective returned NaN" (or "…Infinity"), so it never becomes the best trial.
    /// </summary>
    public FrozenTrial Tell(Trial trial, TrialOutcome outcome)
    {
        if (outcome.State == TrialState.Complete && outcome.Value is { } value && !double.IsFinite(value))
            outcome = TrialOutcome.Failed($"objective returned {value.ToString(CultureInfo.InvariantCulture)}", outcome.Scores);
        if (outcome.State == TrialState.Pruned && outcome.Value is { } last && !double.IsFinite(last))
            outcome = TrialOutcome.Pruned(null, outcome.Scores);
        return _storage.FinishTrial(Name, trial.Number, outcome, DateTime.UtcNow);
    }

    public FrozenTrial Tell(Trial trial, double value, IReadOnlyList<TrialScore>? scores = null) => Tell(trial, TrialOutcome.Completed(value, scores));

    /// <summary>
    /// Runs trials until the study holds <paramref name="totalTrials"/> trials (counting those from
    /// earlier runs, so re-running the same command resumes rather than adds) and no stale Running
    /// trial is left. An exception from the objective fails that trial with its message and the
    /// search goes on; cancellation propagates and leaves the trial Running so a later process
    /// re-runs it with the same params.
    /// </summary>
    public void Optimize(Func<Trial, TrialOutcome> objective, int totalTrials)
    {
        while (true)
        {
            var trials = _storage.GetTrials(Name);
            if (trials.Count >= totalTrials && !StaleRunning(trials).Any()) return;
            var trial = Ask();
            TrialOutcome outcome;
            try
            {
                outcome = objective(trial);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = TrialOutcome.Failed($"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            }
            Tell(trial, outcome);
        }
    }

    public void Optimize(Func<Trial, double> objective, int totalTrials) =>
        Optimize(trial => TrialOutcome.Completed(objective(trial)), totalTrials);

    private IEnumerable<FrozenTrial> StaleRunning(IReadOnlyList<FrozenTrial> trials) =>
        trials.Where(t => t.State == TrialState.Running && t.Worker != _worker
            && WorkerIdentity.TryParse(t.Worker) is { } owner && owner.IsCertainlyDead());

    private Proposal? NextQueued(IReadOnlyList<FrozenTrial> trials)
    {
        var consumed = trials.Select(t => t.UserAttr(UserAttrKeys.QueueIndex)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var next = _storage.GetQueue(Name).FirstOrDefault(q => !consumed.Contains(q.Index.ToString(CultureInfo.InvariantCulture)));
        if (next is null) return null;
        return new Proposal(next.Params, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UserAttrKeys.Baseline] = next.Tag,
            [UserAttrKeys.QueueIndex] = next.Index.ToString(CultureInfo.InvariantCulture),
        });
    }

    private static FrozenTrial? Best(IEnumerable<FrozenTrial> trials) =>
        trials.Where(t => t.State == TrialState.Complete && t.Value is not null)
            .OrderBy(t => t.Value!.Value).ThenBy(t => t.Number).FirstOrDefault();
}

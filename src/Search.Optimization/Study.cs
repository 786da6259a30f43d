using System.Globalization;
using Search.Optimization.Samplers;
using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization;

/// <summary>
/// Ask/tell over a named study in a storage. <see cref="Ask"/> persists the trial as Running before
/// returning it; <see cref="Tell(Trial, TrialOutcome)"/> finishes it. <see cref="Optimize(Func{Trial, TrialOutcome}, int, CancellationToken)"/>
/// is a thin loop around both that many workers (processes, machines, or Study objects with
/// their own <see cref="WorkerIdentity"/>) may run on one study at once.
/// <para>
/// Order of what Ask hands out: (1) Running trials whose worker is gone (see
/// <see cref="HeartbeatSettings.IsAbandoned"/>), re-run under their own number with their own params
/// (no new trial is created, so the list of trials equals an uninterrupted run's); (2) enqueued
/// fixed configs, in queue order; (3) the sampler's proposal for the next number, computed from
/// the trials numbered below it.
/// </para>
/// </summary>
public sealed partial class Study
{
    private readonly ITrialStorage _storage;
    private readonly ISampler _sampler;
    private readonly string _worker;
    private readonly HeartbeatSettings _heartbeat;
    private readonly TimeProvider _clock;

    private Study(ITrialStorage storage, StudyRecord record, SearchSpace space, ISampler sampler, WorkerIdentity worker,
        HeartbeatSettings heartbeat, TimeProvider clock)
    {
        _storage = storage;
        Record = record;
        Space = space;
        _sampler = sampler;
        _worker = worker.ToString();
        _heartbeat = heartbeat.Validate();
        _clock = clock;
    }

    public StudyRecord Record { get; }
    public SearchSpace Space { get; }
    public string Name => Record.Name;

    /// <summary>Identity written on the trials and tasks this object runs.</summary>
    public string Worker => _worker;

    /// <summary>
    /// Creates the study or reopens it (resume). The record must match a stored one in model hash,
    /// space JSON, layer count, sampler and seed (see <see cref="StudyRecord.EnsureCompatibleWith"/>).
    /// </summary>
    /// <param name="space">Already bound to the model's layer count when it has layer_ratios dimensions.</param>
    /// <param name="worker">Identity written on trials this object runs; defaults to the current process (tests inject a dead one to simulate a crash).</param>
    /// <param name="heartbeat">Beat interval, grace and poll; <see cref="HeartbeatSettings.Default"/> when null.</param>
    /// <param name="clock">Source of the times stored in beats and compared with the grace (tests inject a manual clock).</param>
    public static Study CreateOrResume(ITrialStorage storage, StudyRecord record, SearchSpace space, ISampler sampler, WorkerIdentity? worker = null,
        HeartbeatSettings? heartbeat = null, TimeProvider? clock = null)
    {
        if (space.HasLayerRatios && space.LayerCount is null)
            throw new OptimizationInputException($"study '{record.Name}': bind the space to the model's layer count before creating the study");
        if (record.LayerCount != space.LayerCount)
            throw new OptimizationInputException($"study '{record.Name}': record says {record.LayerCount} layers, space is bound to {space.LayerCount}");
        if (record.SamplerName != sampler.Name)
            throw new OptimizationInputException($"study '{record.Name}': record names sampler '{record.SamplerName}' but '{sampler.Name}' was given");
        var settings = (heartbeat ?? HeartbeatSettings.Default).Validate();
        var stored = storage.CreateOrOpenStudy(record);
        return new Study(storage, stored, space, sampler, worker ?? WorkerIdentity.Current, settings, clock ?? TimeProvider.System);
    }

    /// <summary>
    /// Reopens a study from its stored record alone: the space is parsed from the stored JSON and
    /// bound to the stored layer count, the sampler is created by its stored name with default settings.
    /// </summary>
    public static Study Resume(ITrialStorage storage, string name, WorkerIdentity? worker = null,
        HeartbeatSettings? heartbeat = null, TimeProvider? clock = null)
    {
        var record = storage.FindStudy(name) ?? throw new OptimizationInputException($"no study named '{name}' in {storage.DisplayName}");
        var space = SearchSpace.Parse(record.SpaceJson, $"stored space of study '{name}'");
        if (space.HasLayerRatios)
            space = space.BindLayerCount(record.LayerCount
                ?? throw new OptimizationInputException($"study '{name}' has layer_ratios dimensions but no stored layer count"));
        return CreateOrResume(storage, record, space, SamplerFactory.Create(record.SamplerName), worker, heartbeat, clock);
    }

    /// <summary>Queues a fixed config (tagged, e.g. "flap-wifv-al-am-bias"); false if that tag was queued before.</summary>
    public bool Enqueue(IReadOnlyDictionary<string, ParamValue> parameters, string tag) =>
        _storage.Enqueue(Name, [new QueuedConfigDraft(tag, parameters)]) == 1;

    /// <summary>Queues all of the space's baselines in one write; returns how many were new.</summary>
    public int EnqueueBaselines() => _storage.Enqueue(Name, Space.BaselineDrafts());

    public IReadOnlyList<FrozenTrial> Trials => _storage.GetTrials(Name);

    /// <summary>Lowest value among Complete trials (ties: lower number); null when none completed.</summary>
    public FrozenTrial? BestTrial => Best(Trials);

    /// <summary>A trial to run now: a gone worker's trial, else a new one (no budget; <see cref="Optimize(Func{Trial, TrialOutcome}, int, CancellationToken)"/> keeps one).</summary>
    public Trial Ask() => TryAsk(int.MaxValue).Trial!;

    /// <summary>
    /// Takes over a gone worker's trial, or creates the next one if its number is below
    /// <paramref name="numberLimit"/>. Null Trial: nothing to run now; OthersRunning says whether
    /// unfinished trials remain (whose workers may still finish them, or go silent).
    /// </summary>
    private (Trial? Trial, bool OthersRunning) TryAsk(int numberLimit)
    {
        while (true)
        {
            var trials = _storage.GetTrials(Name);
            var now = Now;
            foreach (var running in trials.Where(t => t.State == TrialState.Running))
                if (_heartbeat.IsAbandoned(running.Worker, running.LastSignOfLifeUtc, now)
                    && _storage.TryTakeOverTrial(Name, running.Number, running.Worker, running.HeartbeatUtc, _worker, now))
                    return (new Trial(_storage, Name, _storage.GetTrial(Name, running.Number)), true);

            // Numbers are dense (each is claimed as last + 1), so "next number < limit" is "fewer than limit trials":
            // N workers that all see 15 of 16 trials race for number 15 and exactly one creates it.
            var number = trials.Count == 0 ? 0 : trials[^1].Number + 1;
            if (number >= numberLimit) return (null, trials.Any(t => t.State == TrialState.Running));
            var proposal = NextQueued(trials) ?? _sampler.Propose(new SamplingContext(Space, trials, Record.Seed, number));
            var trial = new FrozenTrial(
                Number: number,
                State: TrialState.Running,
                Params: proposal.Params,
                Value: null,
                Scores: [],
                UserAttrs: new Dictionary<string, string>(proposal.UserAttrs, StringComparer.Ordinal),
                Error: null,
                StartUtc: now,
                EndUtc: null,
                Seed: TrialRandom.DeriveSeed(Record.Seed, number, "objective"),
                Worker: _worker,
                HeartbeatUtc: now);
            // Another worker may have claimed this number (or queue entry) since we read the history: re-read and re-propose.
            if (_storage.TryCreateTrial(Name, trial)) return (new Trial(_storage, Name, trial), true);
        }
    }

    /// <summary>
    /// Finishes a trial. A Complete outcome whose value is NaN or infinite becomes Failed with
    /// reason "objective returned NaN" (or "…Infinity"), so it never becomes the best trial.
    /// Throws <see cref="TrialTakenOverException"/> when another worker took the trial over after
    /// this one's heartbeat went silent (the other worker's result stands).
    /// </summary>
    public FrozenTrial Tell(Trial trial, TrialOutcome outcome) =>
        TryTell(trial, outcome) ?? throw new TrialTakenOverException(Name, trial.Number, _storage.GetTrial(Name, trial.Number).Worker);

    public FrozenTrial Tell(Trial trial, double value, IReadOnlyList<TrialScore>? scores = null) => Tell(trial, TrialOutcome.Completed(value, scores));

    private FrozenTrial? TryTell(Trial trial, TrialOutcome outcome)
    {
        if (outcome.State == TrialState.Complete && outcome.Value is { } value && !double.IsFinite(value))
            outcome = TrialOutcome.Failed($"objective returned {value.ToString(CultureInfo.InvariantCulture)}", outcome.Scores);
        if (outcome.State == TrialState.Pruned && outcome.Value is { } last && !double.IsFinite(last))
            outcome = TrialOutcome.Pruned(null, outcome.Scores);
        return _storage.TryFinishTrial(Name, trial.Number, _worker, outcome, Now);
    }

    /// <summary>
    /// Runs trials until the study holds <paramref name="totalTrials"/> trials (counting those from
    /// earlier runs, so re-running the same command resumes rather than adds) and none is left
    /// Running: with several workers, one that finds nothing left to start waits for the others'
    /// trials and takes over any whose worker goes silent, so when Optimize returns on any worker
    /// every trial is finished. No trial numbered ≥ <paramref name="totalTrials"/> is created.
    /// An exception from the objective fails that trial with its message and the search goes on;
    /// cancellation propagates and leaves the trial Running, to be re-run with the same params
    /// once its heartbeat is older than the grace (at once by a later process on this host).
    /// </summary>
    public void Optimize(Func<Trial, TrialOutcome> objective, int totalTrials, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (trial, othersRunning) = TryAsk(totalTrials);
            if (trial is null)
            {
                if (!othersRunning) return;
                Pause(cancellationToken);
                continue;
            }
            TrialOutcome outcome;
            using (Heartbeat.Start(_heartbeat.Interval, () => _storage.RecordHeartbeat(Name, trial.Number, _worker, Now)))
            {
                try
                {
                    outcome = objective(trial);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    outcome = TrialOutcome.Failed($"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
                }
            }
            // Null: we were silent past the grace and another worker re-ran this trial; its result stands.
            TryTell(trial, outcome);
        }
    }

    public void Optimize(Func<Trial, double> objective, int totalTrials, CancellationToken cancellationToken = default) =>
        Optimize(trial => TrialOutcome.Completed(objective(trial)), totalTrials, cancellationToken);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private void Pause(CancellationToken cancellationToken)
    {
        if (cancellationToken.WaitHandle.WaitOne(_heartbeat.PollInterval)) cancellationToken.ThrowIfCancellationRequested();
    }

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

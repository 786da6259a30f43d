using Search.Optimization.Spaces;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Reporting;

/// <summary>Everything a report reads: the study record and its trials, straight from the store (no model).</summary>
public sealed record StudyData(StudyRecord Record, IReadOnlyList<FrozenTrial> Trials)
{
    public string Name => Record.Name;

    /// <summary>The objective settings when the study stored them as JSON (null for free-text objectives).</summary>
    public ObjectiveSettings? Objective => AttrJson.TryDeserialize<ObjectiveSettings>(Record.ObjectiveDescription);

    /// <summary>Names of the metric_mix weights, from the stored space JSON.</summary>
    public IReadOnlyList<string> MixComponents => TrialParams.MixComponentsOf(Record.SpaceJson);

    /// <summary>Reads one study; unknown or empty studies are a one-line user error.</summary>
    public static StudyData Load(ITrialStorage storage, string name, string where)
    {
        var record = storage.FindStudy(name) ?? throw new ReportInputException(
            $"{where}: no study named '{name}' (studies: {string.Join(", ", storage.GetStudies().Select(s => s.Name).DefaultIfEmpty("none"))})");
        var trials = storage.GetTrials(name);
        if (trials.Count == 0) throw new ReportInputException($"{where}: study '{name}' has no trials yet");
        EnsureScored(where, name, trials);
        return new StudyData(record, trials);
    }

    /// <summary>A study whose every trial failed has nothing to report, export or call best: one line naming <paramref name="where"/>.</summary>
    public static void EnsureScored(string where, string name, IReadOnlyList<FrozenTrial> trials)
    {
        if (!trials.Any(t => t.State == TrialState.Complete))
            throw new ReportInputException($"{where}: study '{name}' has no complete trial ({trials.Count} trials, none scored)");
    }

    /// <summary>Every study of the store that has at least one complete trial (for cross-study plots).</summary>
    public static IReadOnlyList<StudyData> LoadAll(ITrialStorage storage) =>
        storage.GetStudies()
            .Select(r => new StudyData(r, storage.GetTrials(r.Name)))
            .Where(s => s.Trials.Any(t => t.State == TrialState.Complete))
            .ToList();

    /// <summary>The trial with this 1-based number (as tables print it), or a one-line error.</summary>
    public FrozenTrial TrialByDisplayNumber(int displayNumber) =>
        Trials.FirstOrDefault(t => t.Number + 1 == displayNumber)
        ?? throw new ReportInputException($"study '{Name}' has no trial {displayNumber} (trials 1..{Trials.Count})");
}

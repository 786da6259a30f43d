namespace Search.Optimization.Trials;

/// <summary>
/// A Running trial handed out by <see cref="Study.Ask"/>. Its params are already persisted; the
/// objective reads them, may record user attrs (written through at once, so a crash keeps them),
/// and the result goes back through <see cref="Study.Tell(Trial, TrialOutcome)"/>.
/// </summary>
public sealed class Trial
{
    private readonly Storage.ITrialStorage _storage;

    internal Trial(Storage.ITrialStorage storage, string studyName, FrozenTrial snapshot)
    {
        _storage = storage;
        StudyName = studyName;
        Snapshot = snapshot;
    }

    public string StudyName { get; }
    public FrozenTrial Snapshot { get; private set; }
    public int Number => Snapshot.Number;
    public int Seed => Snapshot.Seed;
    public IReadOnlyDictionary<string, ParamValue> Params => Snapshot.Params;

    /// <summary>Tokens the objective should score with; null means "the objective's default budget".</summary>
    public long? FidelityTokens => Snapshot.FidelityTokens;

    public string? BaselineTag => Snapshot.UserAttr(UserAttrKeys.Baseline);

    public void SetUserAttr(string key, string value)
    {
        _storage.SetTrialUserAttr(StudyName, Number, key, value);
        Snapshot = _storage.GetTrial(StudyName, Number);
    }
}

namespace Search.Records;

/// <summary>
/// What the level search did for one trial (stored under the "levels" user attr): the context it
/// continued (index among the contexts, the hand-set baseline that named it, the database's compensation),
/// candidates scored per fidelity stage and each stage's tokens, the winner's fitness on the last stage,
/// the wall seconds of the search, the database's least-squares refits solved and reused so far, and the attention
/// unit of the chain's levels ("kv-group" or "query-head"; null in records written before query-head chains: kv-group).
/// </summary>
public sealed record LevelRecord(int Context, string Baseline, string DatabaseCompensation, int[] Candidates, long[] StageTokens,
    double Fitness, double Seconds, int RefitsSolved, int RefitsReused, string? Unit = null)
{
    public int TotalCandidates => Candidates.Sum();
}

namespace Search.Records;

/// <summary>
/// What the level search did for one trial (stored under the "levels" user attr): the context it
/// continued (index among the contexts, the hand-set baseline that named it, the database's compensation),
/// candidates scored per fidelity stage and each stage's tokens, the winner's fitness on the last stage,
/// the wall seconds of the search, and the database's least-squares refits solved and reused so far.
/// </summary>
public sealed record LevelRecord(int Context, string Baseline, string DatabaseCompensation, int[] Candidates, long[] StageTokens,
    double Fitness, double Seconds, int RefitsSolved, int RefitsReused)
{
    public int TotalCandidates => Candidates.Sum();
}

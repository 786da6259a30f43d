namespace Search.Bench;

public static class TrialTimeSplit
{
    public static void Run(string? shared, int windows, int seqLen) => throw new NotImplementedException();
}

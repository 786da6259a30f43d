namespace Search.Records;

/// <summary>Test perplexity of one config under several calibration seeds (seed 0 is the trial itself).</summary>
public sealed record SeedSpread(IReadOnlyList<int> Seeds, IReadOnlyList<double> TestPpl)
{
    public double Spread => TestPpl.Max() - TestPpl.Min();
}

namespace Search.Records;

/// <summary>Full search-split and test-split perplexity of a finalist (or baseline), with token counts.</summary>
public sealed record FinalScores(
    double SearchPpl, string SearchSplit, long SearchTokens,
    double TestPpl, string TestSplit, long TestTokens, double Seconds);

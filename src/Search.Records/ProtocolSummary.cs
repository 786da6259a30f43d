namespace Search.Records;

/// <summary>Model identity and evaluation protocol of a score.</summary>
public sealed record ProtocolSummary(string Model, string ModelHash, string Dataset, int SeqLen, string Bos, string DType);

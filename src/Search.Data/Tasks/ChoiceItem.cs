namespace Search.Data.Tasks;

/// <summary>One (context, continuation) pair whose continuation log-likelihood is scored (lm-eval's loglikelihood request).</summary>
public sealed record ChoiceRequest(string Context, string Continuation);

/// <summary>
/// One multiple-choice item: a request per choice, the choice strings whose lengths normalize
/// <c>acc_norm</c> (lm-eval's <c>doc_to_choice</c>: for WinoGrande the filled-in contexts), and the
/// gold choice's index. <paramref name="Row"/> is the 1-based row of the file it came from.
/// </summary>
public sealed record ChoiceItem(int Row, IReadOnlyList<ChoiceRequest> Requests, IReadOnlyList<string> Choices, int Gold);

using Search.Model;

namespace Search.Pruning.Surgery;

/// <summary>The spellings of <see cref="Compensation"/> in commands, spaces and records.</summary>
public static class CompensationNames
{
    /// <summary>bias (alias flap), none, ls (least-squares refit on dense inputs) or ls-seq (sequential refit).</summary>
    public static Compensation Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "bias" or "flap" => Compensation.FlapBias,
        "none" => Compensation.None,
        "ls" or "least-squares" => Compensation.LeastSquares,
        "ls-seq" or "least-squares-sequential" => Compensation.LeastSquaresSequential,
        _ => throw new UserInputException($"unknown compensation '{value}' (expected bias or none, or ls / ls-seq for least-squares reconstruction)"),
    };

    public static string Name(Compensation c) => c switch
    {
        Compensation.FlapBias => "bias",
        Compensation.None => "none",
        Compensation.LeastSquares => "ls",
        Compensation.LeastSquaresSequential => "ls-seq",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };
}

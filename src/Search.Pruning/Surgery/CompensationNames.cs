using Search.Model;

namespace Search.Pruning.Surgery;

/// <summary>The spellings of <see cref="Compensation"/> in commands, spaces and records.</summary>
public static class CompensationNames
{
    /// <summary>bias (alias flap) or none.</summary>
    public static Compensation Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "bias" or "flap" => Compensation.FlapBias,
        "none" => Compensation.None,
        _ => throw new UserInputException($"unknown compensation '{value}' (expected bias or none)"),
    };

    public static string Name(Compensation c) => c switch
    {
        Compensation.FlapBias => "bias",
        Compensation.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };
}

namespace Search.Model.Checkpoints;

/// <summary>The <c>--weights mapped|resident</c> spellings of <see cref="WeightResidency"/>.</summary>
public static class WeightResidencies
{
    public static WeightResidency Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "mapped" or "mmap" => WeightResidency.Mapped,
        "resident" or "memory" => WeightResidency.Resident,
        _ => throw new UserInputException($"unknown value '{value}' (expected mapped or resident)"),
    };
}

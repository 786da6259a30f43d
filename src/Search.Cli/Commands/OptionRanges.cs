using System.CommandLine;
using System.Globalization;

namespace Search.Cli.Commands;

/// <summary>
/// Range checks attached to numeric options where they are declared, so every command refuses an
/// out-of-range value at parse time — before libtorch loads or a model is read — with one line
/// naming the option (<c>error: --threads must be at least 1, got 0</c>, exit 2). Library code keeps
/// its own checks for callers that do not come through the CLI (experiment files).
/// </summary>
public static class OptionRanges
{
    public static Option<int> AtLeast(this Option<int> option, int min)
    {
        option.Validators.Add(result =>
        {
            if (TryValue(result, out int value) && value < min) result.AddError($"{option.Name} must be at least {min}, got {value}");
        });
        return option;
    }

    public static Option<int?> AtLeast(this Option<int?> option, int min)
    {
        option.Validators.Add(result =>
        {
            if (TryValue(result, out int? parsed) && parsed is int value && value < min)
                result.AddError($"{option.Name} must be at least {min}, got {value}");
        });
        return option;
    }

    /// <summary>A fraction in [0, 1): NaN and infinities are refused too.</summary>
    public static Option<double> Fraction(this Option<double> option)
    {
        option.Validators.Add(result =>
        {
            if (TryValue(result, out double value) && !(value >= 0 && value < 1))
                result.AddError($"{option.Name} must be in [0, 1) (got {value.ToString(CultureInfo.InvariantCulture)})");
        });
        return option;
    }

    /// <summary>
    /// The parsed value, or null when the text did not parse ("--seqlen long"): the parser reports
    /// that error itself, and GetValueOrDefault would throw instead of letting it.
    /// </summary>
    private static bool TryValue<T>(System.CommandLine.Parsing.OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}

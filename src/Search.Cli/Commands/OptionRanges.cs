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
            int value = result.GetValueOrDefault<int>();
            if (value < min) result.AddError($"{option.Name} must be at least {min}, got {value}");
        });
        return option;
    }

    public static Option<int?> AtLeast(this Option<int?> option, int min)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int value && value < min)
                result.AddError($"{option.Name} must be at least {min}, got {value}");
        });
        return option;
    }

    /// <summary>A fraction in [0, 1): NaN and infinities are refused too.</summary>
    public static Option<double> Fraction(this Option<double> option)
    {
        option.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!(value >= 0 && value < 1))
                result.AddError($"{option.Name} must be in [0, 1) (got {value.ToString(CultureInfo.InvariantCulture)})");
        });
        return option;
    }
}

using System.CommandLine;
using System.Globalization;

namespace Search.Cli.Commands;

/// <summary>
/// Range checks attached to numeric options where they are declared, so every command refuses an
/// out-of-range value at parse time — before libtorch loads or a model is read — with one line
/// naming the option (<c>error: --threads must be at least 1, got 0</c>, exit 2). Messages that name
/// a flag come from here and the command files only: an experiment file is checked by its reader
/// (naming the file and field), and the libraries keep neutral guards against callers that skipped both.
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

    /// <summary>A positive number when given (null, the option left out, passes): NaN and infinities are refused too.</summary>
    public static Option<double?> Positive(this Option<double?> option, string unit)
    {
        option.Validators.Add(result =>
        {
            if (TryValue(result, out double? parsed) && parsed is double value && !(value > 0 && double.IsFinite(value)))
                result.AddError($"{option.Name} must be a positive number of {unit}, got {value.ToString(CultureInfo.InvariantCulture)}");
        });
        return option;
    }

    /// <summary>
    /// Any other check of a parsed value: <paramref name="problem"/> returns the whole message
    /// (naming the option) or null when the value is fine. It runs for a value the user gave.
    /// </summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            if (TryValue(result, out T value) && problem(value) is { } message) result.AddError(message);
        });
        return option;
    }

    /// <summary>
    /// A text value a library parses (a dtype, a bos mode, a report format): the library's refusal
    /// (one line, naming the value and what it expects) becomes the parse error, after the flag.
    /// </summary>
    public static Option<T> ParsedBy<T, TParsed>(this Option<T> option, Func<T, TParsed> parse)
    {
        option.Validators.Add(result =>
        {
            if (!TryValue(result, out T value) || value is null) return;
            try
            {
                parse(value);
            }
            catch (Exception e) when (e is Search.Model.UserInputException or Search.Reporting.ReportInputException)
            {
                result.AddError($"{option.Name}: {e.Message}");
            }
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

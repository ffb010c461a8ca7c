using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Psim.Cli;

/// <summary>
/// Checks every option of the command tree at parse time, once for all commands: a number option must be
/// finite (NaN passes every range check written as "x &lt; 0 or x &gt; 1"), and a text or path option must not
/// be empty. Each error names the option.
/// </summary>
internal static class OptionGuards
{
    public static void Apply(Command command)
    {
        foreach (var option in command.Options)
            Guard(option);
        foreach (var sub in command.Subcommands)
            Apply(sub);
    }

    private static void Guard(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var element = type.IsArray ? type.GetElementType()! : type;
        if (element == typeof(double) || element == typeof(float))
            option.Validators.Add(r =>
                Check(r, option, t =>
                    double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !(Math.Abs(d) <= MaxMagnitude)
                        ? $"{option.Name}: {t} is not a finite number of magnitude at most {MaxMagnitude:0e0} (psim computes in float32 and writes every option to run.json)"
                        : null
                )
            );
        else if ((element == typeof(long) || element == typeof(int)) && option.Name != "--seed")
            option.Validators.Add(r =>
                Check(r, option, t =>
                    long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && !(Math.Abs((double)n) <= MaxCount)
                        ? $"{option.Name}: {t} is out of range (at most {MaxCount:N0})"
                        : null
                )
            );
        else if (element == typeof(string))
            option.Validators.Add(r =>
                Check(r, option, t => string.IsNullOrWhiteSpace(t) ? $"{option.Name}: an empty value is not allowed" : null)
            );
    }

    /// <summary>The largest magnitude of any real-valued option: far inside float32, so no option overflows where psim uses it.</summary>
    public const double MaxMagnitude = 1e9;

    /// <summary>The largest whole-number option (counts, sizes, bytes) other than a seed.</summary>
    public const long MaxCount = 1L << 40;

    private static void Check(OptionResult result, Option option, Func<string, string?> problem)
    {
        foreach (var token in result.Tokens)
            if (problem(token.Value) is { } message)
            {
                result.AddError(message);
                return;
            }
    }
}

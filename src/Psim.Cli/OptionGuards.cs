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
        foreach (var option in command.Options) Guard(option);
        foreach (var sub in command.Subcommands) Apply(sub);
    }

    private static void Guard(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var element = type.IsArray ? type.GetElementType()! : type;
        if (element == typeof(double) || element == typeof(float))
            option.Validators.Add(r => Check(r, option, t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsFinite(d)
                ? $"{option.Name}: {t} is not a finite number" : null));
        else if (element == typeof(string))
            option.Validators.Add(r => Check(r, option, t => string.IsNullOrWhiteSpace(t) ? $"{option.Name}: an empty value is not allowed" : null));
    }

    private static void Check(OptionResult result, Option option, Func<string, string?> problem)
    {
        foreach (var token in result.Tokens)
            if (problem(token.Value) is { } message) { result.AddError(message); return; }
    }
}

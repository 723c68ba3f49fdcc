using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cli;

/// <summary>
/// Whole-number options with their accepted range, parsed by the tool itself so that a bad value
/// is refused with one line naming the option and the range in words (System.CommandLine's own
/// converter names .NET types, such as "System.Nullable`1[System.Int32]").
/// </summary>
public static class NumberOptions
{
    /// <summary>An optional whole number in min..max; absent means null.</summary>
    public static Option<long?> Optional(string name, string description, long min, long max) =>
        new(name)
        {
            Description = description,
            CustomParser = r => Parse(r, name, min, max),
        };

    /// <summary>A whole number in min..max with a default (shown once, by the help's own "[default: …]").</summary>
    public static Option<long> WithDefault(string name, string description, long min, long max, long defaultValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Parse(r, name, min, max) ?? defaultValue,
        };

    /// <summary>The accepted range in words, as error lines and help texts say it.</summary>
    public static string Range(long min, long max) =>
        $"{min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}";

    private static long? Parse(ArgumentResult r, string name, long min, long max)
    {
        string text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(" ", r.Tokens.Select(t => t.Value));
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max)
            return v;
        r.AddError($"{name}: '{text}' is not a whole number from {Range(min, max)}");
        return null;
    }
}

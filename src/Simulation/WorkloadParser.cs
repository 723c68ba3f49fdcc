using System.Globalization;

namespace Simulation;

/// <summary>A workload file that cannot be read: the message names the line and the problem in the file's own words.</summary>
public sealed class WorkloadException(string message) : Exception(message);

/// <summary>
/// Reads the workload format, one step per line ('#' starts a comment, blank lines are skipped):
///
///     alloc SIZE [as 4K|2M] [name NAME]   allocate SIZE (e.g. 512M, 1G, 64K) as 4 KiB pages (default) or 2 MiB huge pages
///     touch [NAME|all]                    write every page of the set (default: all)
///     free [NAME|all] [SIZE]              free the set (default: all), or only SIZE of it
///     sleep DURATION                      let time pass: 10s, 500ms, 250j (jiffies); `hold` is the same
///     repeat N ... end                    the steps between, N times (nested repeats are allowed)
///
/// Sizes are whole multiples of the page size they are allocated in; durations are rounded up
/// to whole jiffies (HZ = 250: 4 ms each). A mistake is refused with the line number and the
/// problem (WorkloadException); nothing is skipped silently.
/// </summary>
public static class WorkloadParser
{
    /// <summary>CONFIG_HZ (Kernel.VirtualClock.Hz).</summary>
    public const int Hz = 250;

    /// <summary>The most steps a workload may unroll to: a bound against a typo in a repeat count.</summary>
    public const int MaxSteps = 1_000_000;

    private const string Steps = "alloc, touch, free, sleep, hold, repeat, end";

    /// <summary>Parse the text of a workload called name.</summary>
    public static Workload Parse(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int index = 0;
        var sets = new HashSet<string>(StringComparer.Ordinal);
        int anonymous = 0;
        var steps = ParseBlock(lines, ref index, sets, ref anonymous, openedAt: null);
        if (steps.Count == 0)
            throw new WorkloadException($"workload '{name}' has no steps");
        return new Workload(name, steps);
    }

    private static List<WorkloadStep> ParseBlock(string[] lines, ref int index, HashSet<string> sets, ref int anonymous, int? openedAt)
    {
        var steps = new List<WorkloadStep>();
        while (index < lines.Length)
        {
            int line = index + 1;
            string raw = lines[index++];
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            var words = (hash >= 0 ? raw[..hash] : raw).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
                continue;
            switch (words[0].ToLowerInvariant())
            {
                case "end":
                    Arguments(line, words, 0, 0);
                    if (openedAt is null)
                        throw new WorkloadException($"line {line}: 'end' without a 'repeat'");
                    return steps;
                case "repeat":
                {
                    Arguments(line, words, 1, 1);
                    if (!int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                        throw new WorkloadException($"line {line}: repeat count '{words[1]}' is not a whole number of at least 1");
                    var body = ParseBlock(lines, ref index, sets, ref anonymous, line);
                    if ((long)body.Count * n + steps.Count > MaxSteps)
                        throw new WorkloadException($"line {line}: the repeat unrolls to more than {MaxSteps:N0} steps");
                    for (int i = 0; i < n; i++)
                        steps.AddRange(body);
                    break;
                }
                case "alloc":
                    steps.Add(Alloc(line, words, sets, ref anonymous));
                    break;
                case "touch":
                    Arguments(line, words, 0, 1);
                    steps.Add(new TouchStep(line, SetName(line, words.Length > 1 ? words[1] : "all", sets)));
                    break;
                case "free":
                {
                    Arguments(line, words, 0, 2);
                    string? set = SetName(line, words.Length > 1 ? words[1] : "all", sets);
                    long? bytes = words.Length > 2 ? Size(line, words[2]) : null;
                    steps.Add(new FreeStep(line, set, bytes));
                    break;
                }
                case "sleep" or "hold":
                    Arguments(line, words, 1, 1);
                    steps.Add(new SleepStep(line, Duration(line, words[1])));
                    break;
                default:
                    throw new WorkloadException($"line {line}: unknown step '{words[0]}' (steps: {Steps})");
            }
            if (steps.Count > MaxSteps)
                throw new WorkloadException($"line {line}: the workload unrolls to more than {MaxSteps:N0} steps");
        }
        if (openedAt is int opened)
            throw new WorkloadException($"line {opened}: 'repeat' without an 'end'");
        return steps;
    }

    private static AllocStep Alloc(int line, string[] words, HashSet<string> sets, ref int anonymous)
    {
        if (words.Length < 2)
            throw new WorkloadException($"line {line}: 'alloc' needs a size, e.g. 'alloc 512M'");
        long bytes = Size(line, words[1]);
        int order = 0;
        string? name = null;
        for (int i = 2; i < words.Length; i += 2)
        {
            if (i + 1 >= words.Length)
                throw new WorkloadException($"line {line}: '{words[i]}' needs a value");
            switch (words[i].ToLowerInvariant())
            {
                case "as":
                    order = words[i + 1].ToUpperInvariant() switch
                    {
                        "4K" => 0,
                        "2M" => 9,
                        _ => throw new WorkloadException($"line {line}: page size '{words[i + 1]}' is not 4K or 2M"),
                    };
                    break;
                case "name":
                    name = words[i + 1];
                    if (name == "all" || IsAnonymous(name))
                        throw new WorkloadException($"line {line}: '{name}' cannot name a set ('all' and alloc1, alloc2, ... are taken)");
                    break;
                default:
                    throw new WorkloadException($"line {line}: unknown option '{words[i]}' of alloc (options: as, name)");
            }
        }
        long pageBytes = 4096L << order;
        if (bytes % pageBytes != 0)
            throw new WorkloadException($"line {line}: {words[1]} is not a whole number of {(order == 0 ? "4 KiB pages" : "2 MiB huge pages")}");
        name ??= $"alloc{++anonymous}";
        sets.Add(name);
        return new AllocStep(line, name, bytes, order);
    }

    /// <summary>The names given to sets allocated without one: alloc1, alloc2, ...</summary>
    private static bool IsAnonymous(string name) =>
        name.Length > 5 && name.StartsWith("alloc", StringComparison.Ordinal) && name[5..].All(char.IsAsciiDigit);

    /// <summary>A set a step names: "all" is every set (null); another name must have been allocated on an earlier line.</summary>
    private static string? SetName(int line, string word, HashSet<string> sets)
    {
        if (word == "all")
            return null;
        if (!sets.Contains(word))
            throw new WorkloadException($"line {line}: no set named '{word}' was allocated before this line");
        return word;
    }

    /// <summary>"512M", "1G", "64K", "4096" (bytes).</summary>
    public static long Size(int line, string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        long unit = char.ToUpperInvariant(word[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        string digits = unit == 1 ? word : word[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > (1L << 50) / unit)
            throw new WorkloadException($"line {line}: size '{word}' is not a positive whole number of bytes, K, M or G");
        return n * unit;
    }

    /// <summary>"10s", "500ms", "250j", rounded up to whole jiffies.</summary>
    public static long Duration(int line, string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        (string digits, long numerator, long denominator) = word.ToLowerInvariant() switch
        {
            var w when w.EndsWith("ms", StringComparison.Ordinal) => (w[..^2], Hz, 1000L),
            var w when w.EndsWith('s') => (w[..^1], Hz, 1L),
            var w when w.EndsWith('j') => (w[..^1], 1L, 1L),
            var w when w.EndsWith("min", StringComparison.Ordinal) => (w[..^3], 60L * Hz, 1L),
            _ => ("", 0L, 1L),
        };
        if (numerator == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > (1L << 40))
            throw new WorkloadException($"line {line}: duration '{word}' is not a whole number with a unit: ms, s, min or j (jiffies)");
        return (n * numerator + denominator - 1) / denominator;
    }

    private static void Arguments(int line, string[] words, int min, int max)
    {
        int n = words.Length - 1;
        if (n < min || n > max)
            throw new WorkloadException(min == max
                ? $"line {line}: '{words[0]}' takes {(min == 0 ? "nothing after it" : $"{min} value{(min == 1 ? "" : "s")}")}, found {n}"
                : $"line {line}: '{words[0]}' takes {min} to {max} values, found {n}");
    }
}

using System.Text.Json;

namespace Cli;

/// <summary>
/// A Coyote reproducible trace as `explore` and the concurrency tests write it: a JSON object
/// with CoyoteVersion, Settings and a non-empty array of Steps (one string per scheduling
/// decision). Checked before the tool is run, so that an empty, truncated or foreign file is
/// refused as misuse, naming what is wrong, instead of reading as "did not reproduce".
/// </summary>
public static class TraceFile
{
    /// <summary>The suffix `minimize` gives the trace it writes: X.trace becomes X.min.trace.</summary>
    public const string MinimizedSuffix = ".min";

    /// <summary>Known names of the checked-in traces of tests/Concurrency/traces, and what their bug must say.</summary>
    public static readonly IReadOnlyDictionary<string, (string Method, string Expect)> CheckedIn = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["scenario2-v1-shutdown-race"] = ("ShutdownV1", "a_dev_info is NULL"),
        ["scenario5-stale-boundary"] = ("TwoZonesStaleBoundary", "points into zone"),
    };

    /// <summary>The trace's name without .trace and without the .min that minimize adds.</summary>
    public static string BaseName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        return name.EndsWith(MinimizedSuffix, StringComparison.Ordinal) ? name[..^MinimizedSuffix.Length] : name;
    }

    /// <summary>Where minimize writes the simplest schedule of X.trace: X.min.trace beside it.</summary>
    public static string MinimizedPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", BaseName(path) + MinimizedSuffix + ".trace");

    /// <summary>
    /// The scenario method a trace replays in: --method when given, else the checked-in name's,
    /// else the one its file name starts with (explore names a trace METHOD-strategy-seedN.trace).
    /// </summary>
    public static string Method(string path, string? method)
    {
        string name = BaseName(path);
        method ??= CheckedIn.TryGetValue(name, out var known) ? known.Method
            : CoyoteTool.Methods.FirstOrDefault(m => name.StartsWith(m + "-", StringComparison.Ordinal))
            ?? throw new UsageException($"{path}: cannot tell the scenario from the file name; pass --method ({string.Join(", ", CoyoteTool.Methods)})");
        if (!CoyoteTool.Methods.Contains(method))
            throw new UsageException($"--method: unknown scenario method '{method}' ({string.Join(", ", CoyoteTool.Methods)})");
        return method;
    }

    /// <summary>What a checked-in trace's bug must say, or null for any other trace.</summary>
    public static string? Expected(string path) => CheckedIn.TryGetValue(BaseName(path), out var known) ? known.Expect : null;

    /// <summary>Refuse a file that is not a Coyote trace with one line naming the problem.</summary>
    public static void Validate(string path)
    {
        string text = File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text))
            throw new UsageException($"{path}: not a Coyote trace: the file is empty");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not a Coyote trace: not valid JSON (line {(e.LineNumber ?? 0) + 1}; truncated?)");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new UsageException($"{path}: not a Coyote trace: expected a JSON object");
            if (!root.TryGetProperty("CoyoteVersion", out var v) || v.ValueKind != JsonValueKind.String)
                throw new UsageException($"{path}: not a Coyote trace: CoyoteVersion is missing");
            if (!root.TryGetProperty("Settings", out var s) || s.ValueKind != JsonValueKind.Object)
                throw new UsageException($"{path}: not a Coyote trace: Settings is missing");
            if (!root.TryGetProperty("Steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
                throw new UsageException($"{path}: not a Coyote trace: Steps is missing");
            if (steps.GetArrayLength() == 0)
                throw new UsageException($"{path}: not a Coyote trace: it has no scheduling steps");
            int i = 0;
            foreach (var step in steps.EnumerateArray())
            {
                if (step.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(step.GetString()))
                    throw new UsageException($"{path}: not a Coyote trace: Steps[{i}] is not a scheduling decision");
                i++;
            }
        }
    }
}

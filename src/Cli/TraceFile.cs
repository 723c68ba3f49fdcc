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

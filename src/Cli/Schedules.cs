using System.Text.Json;
using Rendering;

namespace Cli;

/// <summary>
/// The schedule tools of the concurrency harness as the CLI uses them: the story of a trace
/// (for `show FILE.trace`) and the minimized trace (for `minimize` and `explore`). Both replay
/// in the rewritten scenario assembly (CoyoteTool.Harness); this class reads their answers.
/// </summary>
public static class Schedules
{
    /// <summary>What minimize reported: the counts before and after, and the bug.</summary>
    public sealed record Minimized(string From, string To, string Bug, string Took);

    /// <summary>Replay the trace and tell what each task did.</summary>
    public static ScheduleStory Story(string root, string dll, string trace, string method)
    {
        var (rc, output, error) = CoyoteTool.Harness(root, dll, "story", Path.GetFullPath(trace), method);
        Fail(rc, error, "story");
        try
        {
            var story = ScheduleStory.FromJson(output);
            // The story names the file as the user gave it.
            return story with { Trace = Path.GetFileName(trace) };
        }
        catch (JsonException)
        {
            throw new ToolFailedException("the concurrency harness answered story with something that is not a story");
        }
    }

    /// <summary>Minimize the trace into outPath; null when the trace shows no bug (the harness's reason in notReproduced).</summary>
    public static Minimized? Minimize(string root, string dll, string trace, string method, string outPath, out string? notReproduced)
    {
        var (rc, output, error) = CoyoteTool.Harness(root, dll, "minimize", Path.GetFullPath(trace), method, Path.GetFullPath(outPath));
        notReproduced = null;
        if (rc == 1)
        {
            notReproduced = FirstLine(error);
            return null;
        }
        Fail(rc, error, "minimize");
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        string Field(string key) => lines.LastOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..].Trim()
            ?? throw new ToolFailedException($"the concurrency harness's minimize did not report '{key.TrimEnd(':')}'");
        return new Minimized(Field("from:"), Field("to:"), Field("bug:"), Field("took:"));
    }

    private static void Fail(int rc, string error, string what)
    {
        if (rc == 0)
            return;
        if (rc == 2)
            throw new UsageException(FirstLine(error));
        throw new ToolFailedException($"the concurrency harness's {what} failed (exit {rc}): {FirstLine(error)}");
    }

    private static string FirstLine(string s) => s.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Length > 0) ?? "(no message)";
}

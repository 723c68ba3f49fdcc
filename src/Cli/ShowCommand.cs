using System.CommandLine;
using System.Globalization;
using System.Text;
using Rendering;

namespace Cli;

/// <summary>
/// `show FILE [--html OUT] [--max-steps N | --all-steps]`: draw a counterexample step by step,
/// as text and optionally as an HTML page with SVG. A long run is bounded: the first and the
/// last steps (the failing one among them) are drawn, and one line says how many were left out.
/// </summary>
public static class ShowCommand
{
    /// <summary>Steps drawn by default: the first half and the last half of this many.</summary>
    public const int DefaultMaxSteps = 50;

    /// <summary>The largest --max-steps accepted (--all-steps draws every step).</summary>
    public const int MaxMaxSteps = 1_000_000;

    public static Command Build(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A counterexample file (JSON), or a Coyote trace (.trace): its replay told as lanes, one per task." };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML page (one SVG picture per step) to this path." };
        var maxSteps = new Option<string?>("--max-steps")
        {
            Description = $"Draw at most N steps: the first N/2 and the last N - N/2, which end with the failing step (1 to {MaxMaxSteps}). Default {DefaultMaxSteps}.",
            HelpName = "N",
        };
        var allSteps = new Option<bool>("--all-steps") { Description = "Draw every step, however many (the page of a 100,000-step run is hundreds of MB)." };
        var method = new Option<string?>("--method") { Description = "For a .trace: the scenario method of Concurrency.Harness.EntryPoints (default: from the file name)." };
        var noBuild = new Option<bool>("--no-build") { Description = "For a .trace: do not build tests/Concurrency first (it must be built and rewritten already)." };
        var command = new Command("show", "Render a counterexample step by step (free lists per order and migratetype, raw and aerated blocks, the boundary, the batch, flags and counters), or a Coyote trace as the story of its tasks.")
        {
            file, html, maxSteps, allSteps, method, noBuild,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (path.EndsWith(".trace", StringComparison.OrdinalIgnoreCase))
            {
                if (parse.GetValue(maxSteps) is not null || parse.GetValue(allSteps))
                    throw new UsageException("--max-steps and --all-steps apply to a counterexample file; a trace's story is told whole");
                return ShowTrace(path, parse.GetValue(method), parse.GetValue(html), parse.GetValue(noBuild), stdout);
            }
            if (parse.GetValue(method) is not null || parse.GetValue(noBuild))
                throw new UsageException("--method and --no-build apply to a .trace, not to a counterexample file");
            int budget = Budget(parse.GetValue(maxSteps), parse.GetValue(allSteps));
            string? outPath = parse.GetValue(html);
            if (outPath is not null)
                CheckHtmlPath(outPath);
            var ce = CliApp.LoadFile(path);
            var captured = ScenarioStepper.Capture(ce.Design, ce.Scenario, budget, ce.Expected.Step);
            string hint = "--all-steps draws them all";
            TextRenderer.Write(stdout, ce, captured.Steps, captured.LeftOut, hint);
            if (outPath is not null)
                WriteHtml(outPath, w => HtmlRenderer.Write(w, ce, captured.Steps, captured.LeftOut, hint), stdout);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// `show FILE.trace`: replay the trace in the concurrency harness and print its story, one
    /// column per task. Exit 0 when the replay ends in the violation, 1 when it shows no bug.
    /// </summary>
    private static int ShowTrace(string path, string? method, string? outPath, bool noBuild, TextWriter stdout)
    {
        if (outPath is not null)
            CheckHtmlPath(outPath);
        CliApp.RequireFile(path);
        TraceFile.Validate(path);
        method = TraceFile.Method(path, method);
        string root = CoyoteTool.RepositoryRoot();
        string dll = CoyoteTool.ScenarioAssembly(root, noBuild, stdout);
        var story = Schedules.Story(root, dll, path, method);
        stdout.Write(StoryTextRenderer.Render(story));
        if (outPath is not null)
            WriteHtml(outPath, w => w.Write(StorySvgRenderer.Render(story)), stdout);
        if (story.Bug is null)
        {
            stdout.WriteLine($"REPLAY FAILED: the trace did not reproduce a bug in {method} (it may predate a change of the model or the harness)");
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }

    private static void WriteHtml(string outPath, Action<TextWriter> write, TextWriter stdout)
    {
        try
        {
            using var writer = new StreamWriter(outPath, false, new UTF8Encoding(false)) { NewLine = "\n" };
            write(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--html: cannot write {outPath}: {e.Message}");
        }
        stdout.WriteLine($"HTML written to {outPath}");
    }

    /// <summary>The step budget from --max-steps and --all-steps; a bad value is a usage error naming the option and the range.</summary>
    public static int Budget(string? maxSteps, bool allSteps)
    {
        if (allSteps && maxSteps is not null)
            throw new UsageException("--all-steps and --max-steps: give one of them, not both");
        if (allSteps)
            return int.MaxValue;
        if (maxSteps is null)
            return DefaultMaxSteps;
        if (int.TryParse(maxSteps, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= MaxMaxSteps)
            return n;
        throw new UsageException($"--max-steps: '{maxSteps}' is not a whole number from 1 to {MaxMaxSteps} (--all-steps draws every step)");
    }

    private static void CheckHtmlPath(string outPath)
    {
        if (outPath.Length == 0)
            throw new UsageException("--html: the path is empty");
        if (Directory.Exists(outPath))
            throw new UsageException($"--html: {outPath} is a folder, not a file");
        string full;
        try
        {
            full = Path.GetFullPath(outPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--html: {outPath} is not a usable path");
        }
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
            throw new UsageException($"--html: no such folder: {dir}");
    }
}

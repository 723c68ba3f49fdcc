using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Cli;

/// <summary>
/// The last stage of `check`: every Coyote scenario of the checked designs, explored with a small
/// budget (PCT, then random; the check's seed), in one run of the rewritten scenario assembly
/// (tests/Concurrency, built first unless --no-build). It reaches what the sequential checks
/// cannot: a second CPU on the free path while the worker, shutdown or unregister runs. The
/// budget is a sample; `explore` and the Coyote tests explore longer.
/// </summary>
public static class ConcurrencyStage
{
    /// <summary>The iterations per scenario and strategy of the default check (about 30 s for the default designs on two cores).</summary>
    public const int DefaultIterations = 100;

    /// <summary>The largest budget check takes; longer explorations belong to `explore`.</summary>
    public const int MaxIterations = 100_000;

    /// <summary>
    /// Which column of CoyoteTool.Scenarios holds a design's scenarios. The older merged-design
    /// versions have none: the reporting scenarios run mainline and mainline without one fix.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ScenarioDesign = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Harness.Designs.V1] = "v1",
        [Harness.Designs.V1Fixed] = "fixed",
        [Harness.Designs.Reporting] = "reporting",
    };

    /// <summary>One exploration as the scenario assembly reports it.</summary>
    public sealed record Exploration(string Method, string Strategy, uint Seed, int Iterations, long Steps, double Seconds, string? Bug, string? Trace);

    /// <summary>A design's scenarios: (scenario, EntryPoints method), in CoyoteTool.Scenarios order.</summary>
    public static IReadOnlyList<(string Scenario, string Method)> ScenariosOf(string design) =>
        ScenarioDesign.TryGetValue(design, out var column)
            ? CoyoteTool.Scenarios.Where(s => s.Value.ContainsKey(column)).Select(s => (s.Key, s.Value[column])).ToList()
            : [];

    /// <summary>The Coyote seed of a check seed (Coyote takes 32 bits).</summary>
    public static uint SeedOf(ulong checkSeed) => (uint)(checkSeed % ((ulong)uint.MaxValue + 1));

    /// <summary>
    /// Run the stage and print its table; returns the number of bugs found. Each bug's trace is
    /// written to the check's --out folder and minimized beside it.
    /// </summary>
    public static int Run(CheckSettings settings, TextWriter stdout, IAnsiConsole console, bool interactive)
    {
        // The scenarios of this shard: scenario k of the run's list belongs to shard (k mod n) + 1.
        var all = settings.Designs.SelectMany(d => ScenariosOf(d).Select(s => (Design: d, s.Scenario, s.Method))).ToList();
        var mine = all.Where((_, k) => k % settings.ShardCount == settings.ShardIndex - 1).ToList();
        uint seed = SeedOf(settings.Seed);
        stdout.WriteLine();
        stdout.WriteLine($"concurrency: {mine.Count} Coyote scenario(s) of {string.Join(", ", settings.Designs)}; PCT and random, {settings.ConcurrencyIterations} iterations each, seed {seed}"
            + (settings.ShardCount > 1 ? $"; shard {settings.ShardIndex}/{settings.ShardCount}" : ""));
        foreach (var d in settings.Designs.Where(d => ScenariosOf(d).Count == 0))
            stdout.WriteLine($"concurrency: {d} has no Coyote scenario (they run v1, v1-fixed and mainline reporting)");
        if (mine.Count == 0)
            return 0;
        string root;
        try
        {
            root = CoyoteTool.RepositoryRoot();
        }
        catch (UsageException)
        {
            stdout.WriteLine("concurrency: not run: its scenarios are built from the repository, and Verification.sln is not above the working directory (run from a clone, or pass --no-concurrency)");
            return 0;
        }
        string dll = CoyoteTool.ScenarioAssembly(root, settings.NoBuild, stdout);
        string work = Directory.CreateTempSubdirectory("check-concurrency-").FullName;
        List<Exploration> runs;
        try
        {
            var (rc, output, error) = CoyoteTool.Harness(root, dll,
                ["sweep", settings.ConcurrencyIterations.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture), work, .. mine.Select(m => m.Method)]);
            if (rc != 0)
                throw new ToolFailedException($"the concurrency harness's sweep failed (exit {rc}): {error.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "(no message)"}");
            runs = Parse(output);
            if (runs.Count != mine.Count * 2)
                throw new ToolFailedException($"the concurrency harness's sweep reported {runs.Count} explorations, not {mine.Count * 2}");
            return Report(settings, stdout, console, interactive, root, dll, mine, runs);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static List<Exploration> Parse(string output)
    {
        try
        {
            return output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{'))
                .Select(l => JsonSerializer.Deserialize<Exploration>(l) ?? throw new JsonException("null")).ToList();
        }
        catch (JsonException)
        {
            throw new ToolFailedException("the concurrency harness answered sweep with something that is not its table");
        }
    }

    private static int Report(CheckSettings settings, TextWriter stdout, IAnsiConsole console, bool interactive, string root, string dll,
        IReadOnlyList<(string Design, string Scenario, string Method)> mine, IReadOnlyList<Exploration> runs)
    {
        var table = new Table().Title("concurrency (Coyote)").AddColumns("design", "scenario", "strategy", "iterations", "scheduling steps", "bug");
        if (interactive)
            table.AddColumn("time");
        var bugs = new List<(Exploration Run, string Design)>();
        foreach (var r in runs)
        {
            var (design, scenario, _) = mine.First(m => m.Method == r.Method);
            var row = new List<string> { design, scenario, r.Strategy, Num(r.Iterations), Num(r.Steps), r.Bug is null ? "-" : Markup.Escape(Summary(r.Bug)) };
            if (interactive)
                row.Add($"{r.Seconds:0.0} s");
            table.AddRow(row.ToArray());
            if (r.Bug is not null)
                bugs.Add((r, design));
        }
        console.Write(table);
        foreach (var (r, design) in bugs)
        {
            stdout.WriteLine();
            stdout.WriteLine($"CONCURRENCY BUG under design {design}, scenario {mine.First(m => m.Method == r.Method).Scenario}, {r.Strategy} seed {r.Seed}, iteration {r.Iterations}:");
            stdout.WriteLine($"  {FirstLine(r.Bug!)}");
            if (r.Trace is null || !File.Exists(r.Trace))
                throw new ToolFailedException($"the concurrency harness found a bug in {r.Method} but wrote no trace");
            Directory.CreateDirectory(settings.OutDir);
            string dest = Path.Combine(settings.OutDir, Path.GetFileName(r.Trace));
            File.Copy(r.Trace, dest, overwrite: true);
            stdout.WriteLine($"  trace: {dest}");
            stdout.WriteLine($"  replay: {CliApp.HowToRun} replay {dest}");
            if (!MinimizeCommand.Run(stdout, root, dll, dest, r.Method, TraceFile.MinimizedPath(dest)))
                throw new ToolFailedException($"the trace of the bug found in {r.Method} does not reproduce it in process (see above)");
        }
        return bugs.Count;
    }

    /// <summary>The bug in a table cell: "Device lifetime violated", "Deadlock detected"; the whole text follows the table.</summary>
    public static string Summary(string bug)
    {
        var m = System.Text.RegularExpressions.Regex.Match(bug, @"([A-Z][A-Za-z -]*? violated)");
        if (m.Success)
            return m.Groups[1].Value;
        string line = FirstLine(bug);
        int dot = line.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? line[..dot] : line.Length > 60 ? line[..60] + "..." : line;
    }

    private static string FirstLine(string s) => s.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? s;

    private static string Num(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

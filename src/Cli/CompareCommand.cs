using System.CommandLine;
using Simulation;

namespace Cli;

/// <summary>
/// `compare`: one workload on one guest under several designs (default: all of them), each
/// also checked by `check`'s generated scenarios (--check-runs, default 200), and a side-by-side table (Comparison.Table); --out writes every run's files and
/// one HTML page with every design overlaid in each chart. Exit 0 when every design kept its
/// invariants, 1 when one did not (its row says VIOLATED and why), 2 misuse.
/// </summary>
public static class CompareCommand
{
    public static Command Build(TextWriter stdout)
    {
        var designs = new Option<string?>("--designs") { Description = $"Comma-separated designs. Default: all ({string.Join(", ", GuestSimulation.Designs)})." };
        var guest = NumberOptions.WithDefault("--guest-mib", "Guest RAM in MiB.", 32, 16384, 1024);
        var cpus = NumberOptions.WithDefault("--cpus", "CPUs of the guest.", 1, 256, 2);
        var named = new Option<string?>("--named") { Description = $"A named workload: {string.Join(", ", NamedWorkloads.All.Select(w => w.Name))}. Default: burst." };
        var workload = new Option<string?>("--workload") { Description = "A workload file instead of a named workload." };
        var outDir = new Option<string?>("--out") { Description = "Write each design's CSV and JSON and one index.html with every design overlaid." };
        var checkRuns = NumberOptions.WithDefault("--check-runs", "Generated scenarios of `check` run for each design (the 'generated check' column; a finding writes its counterexample file); 0 leaves the column out.", 0, 100_000, 200);
        var command = new Command("compare", "Run one workload under several designs (v1, v1-fixed, the merged design's versions) and print them side by side.")
        {
            designs, guest, cpus, named, workload, outDir, checkRuns,
        };
        command.SetAction(parse =>
        {
            var versions = Versions(parse.GetValue(designs));
            var w = SimulateCommand.LoadWorkload(parse.GetValue(workload), parse.GetValue(named));
            var config = new SimulationConfig { GuestMiB = parse.GetValue(guest), Cpus = (int)parse.GetValue(cpus) };
            stdout.WriteLine($"compare: {string.Join(", ", versions)} on a {config.GuestMiB} MiB guest, {config.Cpus} CPUs; workload {w.Name}");
            var rows = Comparison.Run(config, versions, w);
            int runs = (int)parse.GetValue(checkRuns);
            if (runs > 0)
                rows = rows.Select(r =>
                {
                    var (verdict, file) = GeneratedCheck(r.Design, runs, parse.GetValue(outDir) ?? "counterexamples");
                    return r with { Check = verdict, CheckFile = file };
                }).ToArray();
            stdout.Write(Comparison.Table(rows));
            var results = rows.Where(r => r.Result is not null).Select(r => r.Result!).ToArray();
            if (parse.GetValue(outDir) is { } dir && results.Length > 0)
            {
                SimulationWriter.Write(dir, results);
                stdout.WriteLine($"written: {Path.Combine(dir, "index.html")} (and each design's CSV and JSON)");
            }
            return rows.Any(r => r.Failure is not null || r.Check?.StartsWith("OK", StringComparison.Ordinal) == false) ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>`check`'s generated scenarios for one design (the default seed, runs scenarios): "OK (N runs)" or the invariant broken, and where its counterexample was written.</summary>
    private static (string Verdict, string? File) GeneratedCheck(string design, int runs, string outDir)
    {
        var settings = CheckSettings.Default with { Designs = [design], Runs = runs, OutDir = outDir, NoConcurrency = true };
        var r = CheckRunner.Run(design, settings);
        if (r.Failure is null)
            return ($"OK ({r.Runs} runs)", null);
        if (r.Counterexample is not { } file)
            return (r.Failure.ShrunkReport?.Violation?.Invariant ?? "a failure", null);
        var (path, _) = CheckCommand.WriteCounterexample(file, outDir, $"{design}-seed{r.FailureSeed}-{CheckCommand.Slug(file.Expected.Invariant)}");
        return (file.Expected.Invariant, path);
    }

    private static IReadOnlyList<string> Versions(string? list)
    {
        if (list is null)
            return GuestSimulation.Designs;
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
            throw new UsageException("--designs: name at least one design");
        var designs = new List<string>();
        foreach (string n in names)
        {
            if (!GuestSimulation.Designs.Contains(n))
                throw new UsageException($"--designs: '{n}' is not simulated (designs: {string.Join(", ", GuestSimulation.Designs)})");
            if (designs.Contains(n))
                throw new UsageException($"--designs: '{n}' is named twice");
            designs.Add(n);
        }
        return designs;
    }
}

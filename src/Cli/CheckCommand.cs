using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BuddyModel;
using Checks;
using Spectre.Console;
using Specs.Files;

namespace Cli;

/// <summary>
/// `check`: replay regressions/ first, then run the generated-sequence checks for each design;
/// on a violation write the shrunk counterexample and exit 1. Progress bar only on a terminal;
/// the summary table always (times only on a terminal, so logs and files stay byte-identical).
/// </summary>
public static class CheckCommand
{
    public static Command Build(TextWriter stdout, bool interactive)
    {
        var design = new Option<string[]>("--design") { Description = $"Design(s) to check: {string.Join(", ", Designs.Names)}. Repeatable. Default: buddy and v1-fixed.", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<ulong?>("--seed")
        {
            Description = $"Base seed; batch b runs with seed+b. Default {CheckSettings.Default.Seed}.",
            CustomParser = r =>
            {
                string text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v <= ulong.MaxValue - 1_000_000)
                    return v;
                r.AddError($"--seed: '{text}' is not an unsigned integer below 2^64 - 1000000");
                return null;
            },
        };
        var runs = new Option<int?>("--runs") { Description = $"Generated scenarios per design. Default {CheckSettings.Default.Runs}." };
        var batch = new Option<int?>("--batch") { Description = $"Scenarios per seed batch (the unit of sharding). Default {CheckSettings.Default.BatchSize}." };
        var maxOps = new Option<int?>("--max-ops") { Description = $"Largest generated scenario (operations). Default {CheckSettings.Default.MaxOps}." };
        var zonePages = new Option<int?>("--zone-pages") { Description = "Use one zone of this many pages (default: the generators' small zones)." };
        var maxOrder = new Option<int?>("--max-order") { Description = "MAX_ORDER of that zone (default 6)." };
        var pageblockOrder = new Option<int?>("--pageblock-order") { Description = "pageblock_order of that zone (default 2)." };
        var minWatermark = new Option<int?>("--min-watermark") { Description = "WMARK_MIN in pages of that zone (default 4)." };
        var hwm = new Option<int?>("--hwm") { Description = "AERATOR_HWM for aeration designs (default: generated 1..3)." };
        var capacity = new Option<int?>("--capacity") { Description = "Batch capacity for aeration designs (default: generated 1, 2, 4)." };
        var noIsolation = new Option<bool>("--no-isolation") { Description = "Generate no isolation (MIGRATE_ISOLATE, __isolate_free_page, putback)." };
        var shard = new Option<string?>("--shard") { Description = "Run shard i of n (1-based, e.g. 2/4): the seed batches b with b mod n = i-1." };
        var outDir = new Option<string?>("--out") { Description = "Folder for counterexample files. Default: counterexamples." };
        var regressions = new Option<string?>("--regressions") { Description = "Regressions folder to replay first. Default: regressions/ of the repository." };
        var skipRegressions = new Option<bool>("--skip-regressions") { Description = "Do not replay the regressions folder first." };
        var command = new Command("check", "Run the generated-sequence checks; exit 1 and write the shrunk counterexample on a violation.")
        {
            design, seed, runs, batch, maxOps, zonePages, maxOrder, pageblockOrder, minWatermark, hwm, capacity, noIsolation, shard, outDir, regressions, skipRegressions,
        };
        command.SetAction(parse =>
        {
            var d = CheckSettings.Default;
            ZoneConfig? zone = null;
            if (parse.GetValue(zonePages) is not null || parse.GetValue(maxOrder) is not null || parse.GetValue(pageblockOrder) is not null || parse.GetValue(minWatermark) is not null)
            {
                int mo = parse.GetValue(maxOrder) ?? 6;
                zone = new ZoneConfig
                {
                    Name = "Custom",
                    MaxOrder = mo,
                    NrPages = parse.GetValue(zonePages) ?? Math.Max(256, 4 << Math.Clamp(mo - 1, 0, 20)),
                    PageblockOrder = parse.GetValue(pageblockOrder) ?? Math.Min(2, Math.Max(1, mo - 1)),
                    MinWatermarkPages = parse.GetValue(minWatermark) ?? 4,
                };
            }
            var (si, sn) = parse.GetValue(shard) is string s ? CheckSettings.ParseShard(s) : (1, 1);
            var settings = d with
            {
                Designs = parse.GetValue(design) is { Length: > 0 } ds ? ds.Distinct(StringComparer.Ordinal).ToArray() : d.Designs,
                Seed = parse.GetValue(seed) ?? d.Seed,
                Runs = parse.GetValue(runs) ?? d.Runs,
                BatchSize = parse.GetValue(batch) ?? d.BatchSize,
                MaxOps = parse.GetValue(maxOps) ?? d.MaxOps,
                Zone = zone,
                Hwm = parse.GetValue(hwm),
                Capacity = parse.GetValue(capacity),
                NoIsolation = parse.GetValue(noIsolation),
                ShardIndex = si,
                ShardCount = sn,
                OutDir = parse.GetValue(outDir) ?? d.OutDir,
                RegressionsDir = parse.GetValue(regressions),
                SkipRegressions = parse.GetValue(skipRegressions),
            };
            settings.Validate();
            // Refuse an unusable --out before any work, not after a violation was found.
            try
            {
                Directory.CreateDirectory(settings.OutDir);
                string probe = Path.Combine(settings.OutDir, $".write-test-{Environment.ProcessId}");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"--out: cannot write counterexample files to '{settings.OutDir}': {e.Message}");
            }
            return Execute(settings, stdout, interactive);
        });
        return command;
    }

    public static int Execute(CheckSettings settings, TextWriter stdout, bool interactive)
    {
        var console = Terminal.Over(stdout, interactive);
        var clock = Stopwatch.StartNew();
        bool regressionsOk = ReplayRegressions(settings, console, stdout);

        stdout.WriteLine($"check: designs {string.Join(", ", settings.Designs)}; seed {settings.Seed}; {settings.Runs} runs per design in {settings.Batches} batches of {settings.BatchSize}; shard {settings.ShardIndex}/{settings.ShardCount}; up to {settings.MaxOps} operations"
            + (settings.Zone is { } z ? $"; zone {z.NrPages} pages, MAX_ORDER {z.MaxOrder}, pageblock_order {z.PageblockOrder}" : "; the generators' zones")
            + (settings.Hwm is int h ? $"; HWM {h}" : "") + (settings.Capacity is int c ? $"; capacity {c}" : "")
            + (settings.NoIsolation ? "; no isolation" : ""));
        var results = new List<DesignCheck>();
        int perDesign = settings.MyBatches().Sum(b => b.Runs);
        if (interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    foreach (var design in settings.Designs)
                    {
                        var task = ctx.AddTask(design, maxValue: perDesign);
                        results.Add(CheckRunner.Run(design, settings, n => task.Increment(n)));
                        task.Value = task.MaxValue;
                    }
                });
        }
        else
        {
            foreach (var design in settings.Designs)
                results.Add(CheckRunner.Run(design, settings));
        }

        var files = new List<string>();
        foreach (var r in results.Where(r => r.Failure is not null))
        {
            stdout.WriteLine();
            stdout.WriteLine($"VIOLATION under design {r.Design} (seed {r.FailureSeed}):");
            stdout.Write(PropertyCheck.Explain(r.Failure!).Replace("dotnet test --filter <this test>", "(or replay the file below)", StringComparison.Ordinal));
            stdout.WriteLine();
            if (r.Counterexample is { } file)
            {
                string path = Path.Combine(settings.OutDir, $"{r.Design}-seed{r.FailureSeed}.json");
                CounterexampleWriter.Write(file, path);
                files.Add(path);
                stdout.WriteLine($"Counterexample written to {path}");
                stdout.WriteLine($"  replay: dotnet run --project src/Cli -- replay {path}");
                stdout.WriteLine($"  show:   dotnet run --project src/Cli -- show {path} --html {Path.ChangeExtension(path, ".html")}");
                if (file.FixedBy is not null)
                    stdout.WriteLine($"  passes under {file.FixedBy}; keep it with: cp {path} regressions/");
            }
        }

        stdout.WriteLine();
        var table = new Table().Title("check summary").AddColumns("design", "runs", "operations", "reachability facts", "violations");
        foreach (var r in results)
            table.AddRow(r.Design, Num(r.Runs), Num(r.Operations), Num(r.Facts.Count), r.Failure is null ? "0" : "1");
        console.Write(table);
        var facts = new Table().Title("reachability facts (times reached)").AddColumn("fact");
        foreach (var r in results)
            facts.AddColumn(r.Design);
        foreach (var name in results.SelectMany(r => r.Facts.Keys).Distinct().OrderBy(n => n, StringComparer.Ordinal))
            facts.AddRow(new[] { name }.Concat(results.Select(r => r.Facts.TryGetValue(name, out int n) ? Num(n) : "-")).ToArray());
        if (facts.Rows.Count > 0)
            console.Write(facts);
        if (interactive)
            stdout.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:0.0} s");
        bool violated = results.Any(r => r.Failure is not null);
        stdout.WriteLine(violated ? $"FAILED: {results.Count(r => r.Failure is not null)} design(s) violated an invariant" + (files.Count > 0 ? $"; counterexample(s): {string.Join(", ", files)}" : "")
            : regressionsOk ? "OK: no violation" : "FAILED: a regression no longer fails as recorded");
        return violated || !regressionsOk ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static bool ReplayRegressions(CheckSettings settings, IAnsiConsole console, TextWriter stdout)
    {
        if (settings.SkipRegressions)
            return true;
        string? folder = settings.RegressionsDir ?? RegressionFolder.Find(Directory.GetCurrentDirectory());
        if (settings.RegressionsDir is not null && !Directory.Exists(settings.RegressionsDir))
            throw new UsageException($"--regressions: no such folder: {settings.RegressionsDir}");
        if (folder is null)
        {
            stdout.WriteLine("regressions: no regressions/ folder found (run from the repository, or pass --regressions DIR)");
            return true;
        }
        var verdicts = RegressionFolder.Files(folder).Select(RegressionFolder.Check).ToList();
        var table = new Table().Title($"regressions ({verdicts.Count} files)").AddColumns("file", "design", "fixed by", "result");
        foreach (var v in verdicts)
            table.AddRow(Markup.Escape(Path.GetFileName(v.Path)), Markup.Escape(v.Design), Markup.Escape(v.FixedBy ?? "-"), v.Ok ? "still fails as recorded" : "FAILED");
        console.Write(table);
        foreach (var v in verdicts.Where(v => !v.Ok))
            stdout.WriteLine($"regression {Path.GetFileName(v.Path)}: {v.Message}");
        return verdicts.All(v => v.Ok);
    }

    private static string Num(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

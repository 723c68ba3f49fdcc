using Harness;
using Specs;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BuddyModel;
using Checks;
using Spectre.Console;
using Counterexamples;

namespace Cli;

/// <summary>
/// `check`: replay regressions/ first, then run the generated-sequence checks for each design;
/// on a violation write the shrunk counterexample and exit 1. Progress bar only on a terminal;
/// the summary table always (times only on a terminal, so logs and files stay byte-identical).
/// </summary>
public static class CheckCommand
{
    /// <summary>How often a run whose output is not a terminal says how far it is.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    /// <summary>Zones above this size get a note that each scenario is slow.</summary>
    private const int LargeZonePages = 65536;

    public static Command Build(TextWriter stdout, bool interactive)
    {
        var design = new Option<string[]>("--design") { Description = $"Design(s) to check: {string.Join(", ", Designs.Names)}. Repeatable. Default: buddy, v1-fixed and reporting.", AllowMultipleArgumentsPerToken = true };
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
        var runs = NumberOptions.Optional("--runs", $"Generated scenarios per design, {NumberOptions.Range(1, CheckSettings.MaxRuns)}. Default {CheckSettings.Default.Runs}.", 1, CheckSettings.MaxRuns);
        var batch = NumberOptions.Optional("--batch", $"Scenarios per seed batch (the unit of sharding), {NumberOptions.Range(1, CheckSettings.MaxBatch)}. Default {CheckSettings.Default.BatchSize}.", 1, CheckSettings.MaxBatch);
        var maxOps = NumberOptions.Optional("--max-ops", $"Largest generated scenario (operations), {NumberOptions.Range(1, CheckSettings.MaxMaxOps)}. Default {CheckSettings.Default.MaxOps}.", 1, CheckSettings.MaxMaxOps);
        var zonePages = NumberOptions.Optional("--zone-pages", $"Use one zone of this many pages, {NumberOptions.Range(1, CounterexampleLoader.MaxZonePages)} and a multiple of 2^(MAX_ORDER-1) (default: the generators' small zones).", 1, CounterexampleLoader.MaxZonePages);
        var maxOrder = NumberOptions.Optional("--max-order", "MAX_ORDER of that zone, 2 to 20 (default 6).", 2, 20);
        var pageblockOrder = NumberOptions.Optional("--pageblock-order", "pageblock_order of that zone, 1 to MAX_ORDER-1 (default 2).", 1, 19);
        var minWatermark = NumberOptions.Optional("--min-watermark", $"WMARK_MIN in pages of that zone, {NumberOptions.Range(0, CounterexampleLoader.MaxZonePages)} (default 4).", 0, CounterexampleLoader.MaxZonePages);
        var hwm = NumberOptions.Optional("--hwm", $"AERATOR_HWM for aeration designs, {NumberOptions.Range(1, CheckSettings.MaxHwm)} (default: generated 1..3).", 1, CheckSettings.MaxHwm);
        var capacity = NumberOptions.Optional("--capacity", $"Batch capacity for aeration designs, 1 to {Aeration.Virtio.HintingDriver.HintsMax} (default: generated 1, 2, 4).", 1, Aeration.Virtio.HintingDriver.HintsMax);
        var noPoisoning = new Option<bool>("--no-poisoning") { Description = "Generate no page-poisoning guests (their finding, \"Content contract\", otherwise tends to come first under v1)." };
        var singleZone = new Option<bool>("--single-zone") { Description = "Generate guests of one zone only (by default a quarter of the scenarios run on guests of several small zones: DMA32 + Normal, DMA + DMA32 + Normal)." };
        var noIsolation = new Option<bool>("--no-isolation") { Description = "Generate no isolation (MIGRATE_ISOLATE, __isolate_free_page, putback)." };
        var isolationWalk = new Option<bool>("--isolation-walk") { Description = "Mix the isolation walk (start_isolate_page_range / undo_isolate_page_range, one zone->lock hold per step) into the generated scenarios; every default design has a finding with it (docs/kernel-map.md)." };
        var fullChecks = new Option<bool>("--full-checks") { Description = "Check every invariant in full after every step, instead of checking what the step changed (with a full check every 256 steps and at the end of each run): the same verdicts, slower." };
        var noConcurrency = new Option<bool>("--no-concurrency") { Description = "Skip the concurrency stage: the Coyote scenarios of the designs, explored with PCT and random after the sequential checks." };
        var concurrencyIterations = NumberOptions.Optional("--concurrency-iterations", $"Iterations per Coyote scenario and strategy in the concurrency stage, {NumberOptions.Range(1, ConcurrencyStage.MaxIterations)}. Default {ConcurrencyStage.DefaultIterations}.", 1, ConcurrencyStage.MaxIterations);
        var noBuild = new Option<bool>("--no-build") { Description = "Do not build tests/Concurrency before the concurrency stage (it must be built and rewritten already)." };
        var shard = new Option<string?>("--shard") { Description = "Run shard i of n (1-based, e.g. 2/4): the seed batches b with b mod n = i-1." };
        var outDir = new Option<string?>("--out") { Description = "Folder for counterexample files. Default: counterexamples." };
        var regressions = new Option<string?>("--regressions") { Description = "Regressions folder to replay first. Default: regressions/ of the repository." };
        var skipRegressions = new Option<bool>("--skip-regressions") { Description = "Do not replay the regressions folder first." };
        var command = new Command("check", "Run the generated-sequence checks; exit 1 and write the shrunk counterexample on a violation.")
        {
            design, seed, runs, batch, maxOps, zonePages, maxOrder, pageblockOrder, minWatermark, hwm, capacity, noIsolation, isolationWalk, noPoisoning, singleZone, fullChecks, noConcurrency, concurrencyIterations, noBuild, shard, outDir, regressions, skipRegressions,
        };
        command.SetAction(parse =>
        {
            var d = CheckSettings.Default;
            ZoneConfig? zone = null;
            if (parse.GetValue(zonePages) is not null || parse.GetValue(maxOrder) is not null || parse.GetValue(pageblockOrder) is not null || parse.GetValue(minWatermark) is not null)
            {
                int mo = (int?)parse.GetValue(maxOrder) ?? 6;
                zone = new ZoneConfig
                {
                    Name = "Custom",
                    MaxOrder = mo,
                    NrPages = (int?)parse.GetValue(zonePages) ?? Math.Max(256, 4 << Math.Clamp(mo - 1, 0, 20)),
                    PageblockOrder = (int?)parse.GetValue(pageblockOrder) ?? Math.Min(2, Math.Max(1, mo - 1)),
                    MinWatermarkPages = (int?)parse.GetValue(minWatermark) ?? 4,
                };
            }
            var (si, sn) = parse.GetValue(shard) is string s ? CheckSettings.ParseShard(s) : (1, 1);
            var settings = d with
            {
                Designs = parse.GetValue(design) is { Length: > 0 } ds ? ds.Distinct(StringComparer.Ordinal).ToArray() : d.Designs,
                Seed = parse.GetValue(seed) ?? d.Seed,
                Runs = (int?)parse.GetValue(runs) ?? d.Runs,
                BatchSize = (int?)parse.GetValue(batch) ?? d.BatchSize,
                MaxOps = (int?)parse.GetValue(maxOps) ?? d.MaxOps,
                Zone = zone,
                Hwm = (int?)parse.GetValue(hwm),
                Capacity = (int?)parse.GetValue(capacity),
                NoIsolation = parse.GetValue(noIsolation),
                IsolationWalk = parse.GetValue(isolationWalk),
                NoPoisoning = parse.GetValue(noPoisoning),
                SingleZone = parse.GetValue(singleZone),
                FullChecks = parse.GetValue(fullChecks),
                NoConcurrency = parse.GetValue(noConcurrency),
                ConcurrencyIterations = (int?)parse.GetValue(concurrencyIterations) ?? d.ConcurrencyIterations,
                NoBuild = parse.GetValue(noBuild),
                ShardIndex = si,
                ShardCount = sn,
                OutDir = parse.GetValue(outDir) ?? d.OutDir,
                RegressionsDir = parse.GetValue(regressions),
                SkipRegressions = parse.GetValue(skipRegressions),
            };
            settings.Validate();
            if (!settings.MyBatches().Any())
                throw new UsageException($"--shard {si}/{sn}: this shard is empty: the run has only {settings.Batches} seed batch(es) of {settings.BatchSize} scenarios (fewer shards, or a smaller --batch)");
            ProbeOutDir(settings.OutDir);
            return Execute(settings, stdout, interactive, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>
    /// Refuse an unusable --out before any work, not after a violation was found; leave no
    /// folder behind (it is made when the first counterexample is written).
    /// </summary>
    private static void ProbeOutDir(string outDir)
    {
        string? made = null;
        try
        {
            for (var d = new DirectoryInfo(Path.GetFullPath(outDir)); d is not null && !d.Exists; d = d.Parent)
                made = d.FullName;
            Directory.CreateDirectory(outDir);
            string probe = Path.Combine(outDir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--out: cannot write counterexample files to '{outDir}': {e.Message}");
        }
        finally
        {
            if (made is not null && Directory.Exists(made))
                Directory.Delete(made, recursive: true);
        }
    }

    public static int Execute(CheckSettings settings, TextWriter stdout, bool interactive, TextWriter? progressLog = null)
    {
        var console = Terminal.Over(stdout, interactive);
        var clock = Stopwatch.StartNew();
        bool regressionsOk = ReplayRegressions(settings, console, stdout);

        stdout.WriteLine($"check: designs {string.Join(", ", settings.Designs)}; seed {settings.Seed}; {settings.Runs} runs per design in {settings.Batches} batches of {settings.BatchSize}; shard {settings.ShardIndex}/{settings.ShardCount}; up to {settings.MaxOps} operations"
            + (settings.Zone is { } z ? $"; zone {z.NrPages} pages, MAX_ORDER {z.MaxOrder}, pageblock_order {z.PageblockOrder}" : "; the generators' zones")
            + (settings.Hwm is int h ? $"; HWM {h}" : "") + (settings.Capacity is int c ? $"; capacity {c}" : "")
            + (settings.NoIsolation ? "; no isolation" : "") + (settings.IsolationWalk ? "; isolation walk" : "") + (settings.NoPoisoning ? "; no poisoning" : "") + (settings.SingleZone ? "; one zone per guest" : ""));
        if (settings.Zone is { NrPages: > LargeZonePages } big)
            progressLog?.WriteLine($"check: note: a zone of {Num(big.NrPages)} pages is checked in full (every invariant over every frame) after every step: expect seconds to minutes per scenario; try a small --runs first");
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
            // Not a terminal: a progress line on the error stream at most every ProgressEvery
            // (stdout stays byte-identical for the same seed).
            foreach (var design in settings.Designs)
            {
                int done = 0;
                var since = Stopwatch.StartNew();
                var since0 = Stopwatch.StartNew();
                results.Add(CheckRunner.Run(design, settings, n =>
                {
                    done += n;
                    if (progressLog is not null && since.Elapsed >= ProgressEvery)
                    {
                        double left = since0.Elapsed.TotalSeconds / done * (perDesign - done);
                        progressLog.WriteLine($"check: {design}: {Num(done)} of {Num(perDesign)} runs ({100.0 * done / perDesign:0}%), {clock.Elapsed.TotalSeconds:0} s so far, about {left:0} s left for this design");
                        since.Restart();
                    }
                }));
            }
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
                var (path, note) = WriteCounterexample(file, settings.OutDir, $"{r.Design}-seed{r.FailureSeed}-{Slug(file.Expected.Invariant)}");
                files.Add(path);
                stdout.WriteLine(note);
                stdout.WriteLine($"  replay: dotnet run --project src/Cli -- replay {path}");
                stdout.WriteLine($"  show:   dotnet run --project src/Cli -- show {path} --html {Path.ChangeExtension(path, ".html")}");
                if (file.FixedBy is not null)
                    stdout.WriteLine($"  passes under {file.FixedBy}; keep it with: cp {path} regressions/");
            }
        }

        stdout.WriteLine();
        var table = new Table().Title("check summary").AddColumns("design", "runs", "operations", "reachability facts", "guarded rules", "violations");
        foreach (var r in results)
            table.AddRow(r.Design, Num(r.Runs), Num(r.Operations), Num(r.Facts.Count), Num(r.Reach.Count(n => n > 0)), r.Failure is null ? "0" : "1");
        console.Write(table);
        var facts = new Table().Title("reachability facts (times reached)").AddColumn("fact");
        foreach (var r in results)
            facts.AddColumn(r.Design);
        foreach (var name in results.SelectMany(r => r.Facts.Keys).Distinct().OrderBy(n => n, StringComparer.Ordinal))
            facts.AddRow(new[] { name }.Concat(results.Select(r => r.Facts.TryGetValue(name, out int n) ? Num(n) : "-")).ToArray());
        if (facts.Rows.Count > 0)
            console.Write(facts);
        GuardedRuleReport.Write(results, console, stdout);
        int races = settings.NoConcurrency ? 0 : ConcurrencyStage.Run(settings, stdout, console, interactive);
        if (interactive)
            stdout.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:0.0} s");
        int violated = results.Count(r => r.Failure is not null);
        var failures = new List<string>();
        if (violated > 0)
            failures.Add($"{violated} design(s) violated an invariant" + (files.Count > 0 ? $"; counterexample(s): {string.Join(", ", files)}" : ""));
        if (races > 0)
            failures.Add($"{races} concurrency exploration(s) found a bug (traces in {settings.OutDir})");
        if (!regressionsOk)
            failures.Add("a regression no longer fails as recorded");
        stdout.WriteLine(failures.Count > 0 ? $"FAILED: {string.Join("; ", failures)}" : "OK: no violation");
        return failures.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>
    /// Write a counterexample as OUT/NAME.json, never replacing a different file silently: the
    /// same content already there is said so, another file of that name keeps its place and the
    /// new one becomes NAME-2.json (-3, ...). Returns the path and the line that tells the user.
    /// </summary>
    internal static (string Path, string Note) WriteCounterexample(CounterexampleFile file, string outDir, string name)
    {
        Directory.CreateDirectory(outDir);
        string text = CounterexampleWriter.ToJson(file);
        string first = Path.Combine(outDir, name + ".json");
        for (int k = 1; ; k++)
        {
            string path = k == 1 ? first : Path.Combine(outDir, $"{name}-{k}.json");
            if (!File.Exists(path))
            {
                File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
                return (path, k == 1 ? $"Counterexample written to {path}" : $"Counterexample written to {path} ({first} holds a different counterexample and was kept)");
            }
            if (File.ReadAllText(path) == text)
                return (path, $"Counterexample already in {path} (the same file, left as it was)");
        }
    }

    /// <summary>An invariant's name as a file-name part: "Counters match contents" → "counters-match-contents".</summary>
    internal static string Slug(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

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
            table.AddRow(Markup.Escape(Path.GetFileName(v.Path)), Markup.Escape(v.Design), Markup.Escape(v.FixedBy ?? "-"), v.Ok ? "still fails as recorded" : v.Malformed ? "MALFORMED" : "FAILED");
        console.Write(table);
        // A file that cannot be read is the user's to mend (misuse), not a finding.
        if (verdicts.FirstOrDefault(v => v.Malformed) is { } bad)
            throw new UsageException($"{bad.Path}: {bad.Message}" + (verdicts.Count(v => v.Malformed) > 1 ? $" (and {verdicts.Count(v => v.Malformed) - 1} more malformed file(s) in {folder})" : ""));
        foreach (var v in verdicts.Where(v => !v.Ok))
            stdout.WriteLine($"regression {Path.GetFileName(v.Path)}: {v.Message}");
        return verdicts.All(v => v.Ok);
    }

    private static string Num(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

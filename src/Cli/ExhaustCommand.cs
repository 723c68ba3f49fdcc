using System.CommandLine;
using System.Globalization;
using Aeration;
using BuddyModel;
using Checks.Exhaust;
using Counterexamples;
using Harness;

namespace Cli;

/// <summary>
/// `exhaust`: every state a design reaches on a tiny zone, breadth-first up to a depth bound or
/// until no new state appears, every invariant checked in every state. Prints the distinct
/// states, transitions, depth reached, whether the space was exhausted, states per second and
/// memory; on a violation, writes the shortest counterexample (a file `replay` and `show`
/// take). Exit 0 when no state violates, 1 on a violation, 2 misuse. The v1 designs (v1,
/// v1-fixed) add the aeration moves and settle every new state (Progress); --hwm and
/// --capacity set their aerator (default HWM 2, capacity 1: the configuration the tests
/// explore to exhaustion). The merged design's versions add register, unregister, worker,
/// host, time, freeze (--no-freeze) and page_reporting_order writes (--no-order-parameter),
/// and settle every new state; --driver-order sets prdev->order. Its watermark gate reports
/// only from a zone with more than 32 blocks of the reporting order free, so a zone that
/// reports needs some 40 frames or more: --max-live bounds the guest's live blocks.
/// </summary>
public static class ExhaustCommand
{
    public static Command Build(TextWriter stdout, bool interactive)
    {
        var design = new Option<string>("--design") { Description = "The design to explore: buddy, buddy-6.0, buddy-6.10, v1, v1-fixed, or a version of the merged design (reporting, reporting-5.7, reporting-5.10, reporting-5.14). Default: buddy.", DefaultValueFactory = _ => Designs.Buddy };
        var hwm = NumberOptions.Optional("--hwm", "v1 designs: AERATOR_HWM, raw blocks of one order that make a free request a pass. Default: 2.", 1, 1024);
        var capacity = NumberOptions.Optional("--capacity", "v1 designs: blocks per batch (a_dev_info->capacity). Default: 1.", 1, Aeration.Virtio.HintingDriver.HintsMax);
        var pages = NumberOptions.WithDefault("--zone-pages", "Frames of the zone (a multiple of 2^(MAX_ORDER-1)).", 1, 1024, 8);
        var maxOrder = NumberOptions.WithDefault("--max-order", "MAX_ORDER of the zone.", 2, 11, 3);
        var pageblockOrder = NumberOptions.WithDefault("--pageblock-order", "pageblock_order of the zone, 1 to MAX_ORDER-1.", 1, 10, 1);
        var minWatermark = NumberOptions.WithDefault("--min-watermark", "WMARK_MIN in pages.", 0, 1024, 1);
        var depth = NumberOptions.WithDefault("--depth", "Deepest level explored (operations from boot).", 1, ExhaustConfig.DepthLimit, 100);
        var maxStates = NumberOptions.WithDefault("--max-states", "Stop after this many distinct states.", 1, 100_000_000, 1_000_000);
        var allTypes = new Option<bool>("--all-types") { Description = "Allocate UNMOVABLE and RECLAIMABLE blocks too (default: MOVABLE only; each type multiplies the states)." };
        var pageblockTypes = new Option<bool>("--pageblock-types") { Description = "Also change pageblock migratetypes, ISOLATE included." };
        var held = new Option<bool>("--held-blocks") { Description = "Also take free blocks off the lists (__isolate_free_page) and put them back." };
        var walks = new Option<bool>("--isolation-walk") { Description = "Also run the isolation walk (start_isolate_page_range / undo_isolate_page_range, one step per lock hold)." };
        var noShutdown = new Option<bool>("--no-shutdown") { Description = "v1 designs: leave aerator_shutdown and its wake-up out of the moves (startup, worker and host steps stay)." };
        var maxLive = NumberOptions.Optional("--max-live", "Allocate only while fewer blocks than this are live (a bound on the guest; default: none).", 1, 1024);
        var noFreeze = new Option<bool>("--no-freeze") { Description = "Merged design: leave freeze and restore out of the moves." };
        var noOrder = new Option<bool>("--no-order-parameter") { Description = "Merged design: leave writes of page_reporting_order out of the moves (5.14+)." };
        var driverOrder = NumberOptions.Optional("--driver-order", "Merged design: the order the driver asks for (prdev->order, 5.14+; mainline takes 0). Default: the version's no preference.", -1, 10);
        var jobs = NumberOptions.WithDefault("--jobs", "Threads that expand a level (the result is the same for any number). Default: every core.", 1, 256, Environment.ProcessorCount);
        var zones = NumberOptions.WithDefault("--zones", "Zones of the guest, each of --zone-pages frames, stacked at ascending pfns: 1 (one zone), 2 (DMA32, Normal) or 3 (DMA, DMA32, Normal).", 1, 3, 1);
        var poisoning = new Option<bool>("--poisoning") { Description = "v1 and merged designs: the guest poisons free pages (CONFIG_PAGE_POISONING) and the device is offered PAGE_POISON with the poison value, as a correct host is." };
        var outDir = new Option<string>("--out") { Description = "Folder for the counterexample file. Default: counterexamples.", DefaultValueFactory = _ => "counterexamples" };
        var command = new Command("exhaust", "Explore every reachable state of a tiny zone breadth-first, every invariant checked in every state; a violation gives the shortest counterexample.")
        {
            design, pages, maxOrder, pageblockOrder, minWatermark, zones, hwm, capacity, depth, maxStates, allTypes, pageblockTypes, held, walks, noShutdown, maxLive, noFreeze, noOrder, driverOrder, poisoning, jobs, outDir,
        };
        command.SetAction(parse =>
        {
            string d = parse.GetValue(design)!;
            if (!Designs.IsKnown(d))
                throw new UsageException($"--design: unknown design '{d}' (known: {string.Join(", ", Designs.Names)})");
            var zone = new ZoneConfig
            {
                Name = "Exhaust",
                NrPages = (int)parse.GetValue(pages),
                MaxOrder = (int)parse.GetValue(maxOrder),
                PageblockOrder = (int)parse.GetValue(pageblockOrder),
                MinWatermarkPages = (int)parse.GetValue(minWatermark),
            };
            CheckSettings.ValidateZone(zone);
            int n = (int)parse.GetValue(zones);
            var layout = n == 1 ? [zone] : Checks.ZoneLayouts.Stack(zone, Enumerable.Repeat(zone.NrPages, n).ToArray(), n == 2 ? ["DMA32", "Normal"] : ["DMA", "DMA32", "Normal"]);
            var more = Checks.ZoneLayouts.More(layout);
            bool poison = parse.GetValue(poisoning);
            long? h = parse.GetValue(hwm), c = parse.GetValue(capacity), dro = parse.GetValue(driverOrder);
            bool reporting = Designs.IsReporting(d);
            if (!reporting && (dro is not null || parse.GetValue(noFreeze) || parse.GetValue(noOrder)))
                throw new UsageException($"{(dro is not null ? "--driver-order" : parse.GetValue(noFreeze) ? "--no-freeze" : "--no-order-parameter")}: applies to the merged design's versions only, not {d}");
            Scenario guest;
            if (reporting && (h is not null || c is not null || parse.GetValue(noShutdown)))
                throw new UsageException($"{(h is not null ? "--hwm" : c is not null ? "--capacity" : "--no-shutdown")}: applies to the v1 designs (v1, v1-fixed) only, not {d}");
            else if (reporting)
                guest = new Scenario(layout[0], [], null, new global::Reporting.ReportingSetup
                {
                    DriverOrder = dro is long o ? (int)o : null,
                    Guest = new global::Reporting.Virtio.GuestPoisoning { PagePoisoning = poison },
                    Offered = new Aeration.Virtio.BalloonFeatures { Hinting = true, PagePoison = poison, PoisonVal = poison ? global::Reporting.Virtio.GuestPoisoning.PagePoisonVal : 0 },
                }, more);
            else if (Designs.HasAerator(d))
                guest = new Scenario(layout[0], [], new AerationSetup
                {
                    Aerator = new AeratorConfig { Hwm = (int)(h ?? DefaultHwm), Capacity = (int)(c ?? DefaultCapacity) },
                    PagePoisoning = poison,
                    Features = new Aeration.Virtio.BalloonFeatures { PagePoison = poison, PoisonVal = poison ? 0xaaaaaaaa : 0 },
                }, null, more);
            else if (h is not null || c is not null || parse.GetValue(noShutdown) || poison)
                throw new UsageException($"{(h is not null ? "--hwm" : c is not null ? "--capacity" : poison ? "--poisoning" : "--no-shutdown")}: applies to the v1 designs (v1, v1-fixed){(poison ? " and the merged design's versions" : "")} only, not {d}");
            else
                guest = new Scenario(layout[0], [], null, null, more);
            BuddySystem probe;
            try
            {
                probe = Designs.MakeSystem(d, guest);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--design: {d} on this zone: {e.Message}");
            }
            if (probe.CanonicalStateMissing is { } missing)
                throw new UsageException($"--design: {d} cannot be explored yet: {missing}");
            var alphabet = new ExhaustAlphabet
            {
                AllocTypes = parse.GetValue(allTypes) ? [MigrateType.Unmovable, MigrateType.Movable, MigrateType.Reclaimable] : [MigrateType.Movable],
                PageblockTypes = parse.GetValue(pageblockTypes),
                HeldBlocks = parse.GetValue(held),
                Walks = parse.GetValue(walks),
                AerationShutdown = !parse.GetValue(noShutdown),
                MaxLive = parse.GetValue(maxLive) is long ml ? (int)ml : null,
                ReportingFreeze = !parse.GetValue(noFreeze),
                ReportingOrderParameter = !parse.GetValue(noOrder),
            };
            var config = new ExhaustConfig(d, guest, alphabet, (int)parse.GetValue(depth), parse.GetValue(maxStates)) { Jobs = (int)parse.GetValue(jobs) };
            return Execute(config, parse.GetValue(outDir)!, stdout, interactive);
        });
        return command;
    }

    /// <summary>AERATOR_HWM when --hwm is not given.</summary>
    public const int DefaultHwm = 2;

    /// <summary>Batch capacity when --capacity is not given.</summary>
    public const int DefaultCapacity = 1;

    /// <summary>Run one exploration and report it; the exit code.</summary>
    public static int Execute(ExhaustConfig config, string outDir, TextWriter stdout, bool interactive)
    {
        var zone = config.Guest.Config;
        var a = config.Alphabet;
        string moves = $"alloc_pages ({string.Join(", ", a.AllocTypes.Select(MigrateTypes.Name))}), __free_pages"
            + (a.PageblockTypes ? ", set pageblock migratetype" : "") + (a.HeldBlocks ? ", __isolate_free_page, __putback_isolated_page" : "")
            + (a.Walks ? ", the isolation walk" : "")
            + (a.AerationMoves && config.Guest.Aeration is not null ? $", aerator_startup{(a.AerationShutdown ? ", aerator_shutdown and its wake-up" : "")}, worker step, host step; every new state settled (Progress)" : "")
            + (a.ReportingMoves && config.Guest.Reporting is not null ? $", register, unregister and its steps, worker step, host step, time ({string.Join(", ", a.ClockJiffies)} jiffies){(a.ReportingFreeze ? ", freeze and restore" : "")}{(a.ReportingOrderParameter ? ", page_reporting_order writes (5.14+)" : "")}; every new state settled (Progress, No lost request)" : "")
            + (a.MaxLive is int ml ? $"; at most {ml} live block(s)" : "");
        string setup = config.Guest.Aeration is { } s ? $"; {s}"
            : config.Guest.Reporting is { Guest.PagePoisoning: true } rs ? $"; page poisoning on (PAGE_POISON {(rs.Offered.PagePoison ? "offered" : "not offered")})" : "";
        var guestZones = config.Guest.Zones;
        string zones = guestZones.Count == 1 ? $"zone of {zone.NrPages} pages" : $"{guestZones.Count} zones ({string.Join(", ", guestZones.Select(z => z.Name))}) of {zone.NrPages} pages each";
        stdout.WriteLine($"exhaust: design {config.Design}; {zones}, MAX_ORDER {zone.MaxOrder}, pageblock_order {zone.PageblockOrder}, WMARK_MIN {zone.MinWatermarkPages}{setup}; moves: {moves}; depth up to {config.MaxDepth}, at most {N(config.MaxStates)} states");
        var explorer = new StateExplorer(config)
        {
            Progress = interactive ? (level, states, transitions) => stdout.WriteLine($"  level {level}: {N(states)} states, {N(transitions)} transitions") : null,
        };
        var r = explorer.Run();
        stdout.WriteLine($"  distinct states: {N(r.States)}");
        stdout.WriteLine($"  transitions:     {N(r.Transitions)}");
        stdout.WriteLine($"  depth reached:   {r.DepthReached}");
        stdout.WriteLine($"  states per level: {string.Join(", ", r.StatesPerLevel.Select(N))}");
        stdout.WriteLine($"  exhausted:       {(r.Exhausted ? "yes: no new state at the last level" : "no: " + r.StoppedBecause)}");
        stdout.WriteLine($"  time: {r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s, {N((long)r.StatesPerSecond)} states/s; managed memory at most {N(r.PeakManagedBytes >> 20)} MiB");
        if (r.Passed)
        {
            stdout.WriteLine(r.Exhausted
                ? $"OK: every reachable state keeps every invariant ({N(r.States)} states)"
                : $"OK: every state up to depth {r.DepthReached} keeps every invariant ({N(r.States)} states; {r.StoppedBecause})");
            return ExitCodes.Ok;
        }
        var report = r.CounterexampleReport!;
        var scenario = r.Counterexample!;
        var file = CounterexampleFile.FromRun(config.Design, scenario, report, null, null,
            $"{report.Violation?.Invariant ?? ExpectedFailure.ModelError} under {config.Design}: shortest counterexample (exhaust)");
        var (path, note) = CheckCommand.WriteCounterexample(file, outDir, $"{config.Design}-exhaust-{CheckCommand.Slug(file.Expected.Invariant)}");
        stdout.WriteLine($"FAILED: {report.FailureMessage}");
        stdout.WriteLine($"  shortest counterexample ({scenario.Operations.Count} operation(s), breadth-first):");
        for (int i = 0; i < scenario.Operations.Count; i++)
            stdout.WriteLine($"    {i + 1}. {scenario.Operations[i]}");
        stdout.WriteLine($"  {note}");
        stdout.WriteLine($"  replay: {CliApp.HowToRun} replay {path}");
        return ExitCodes.Failed;
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}

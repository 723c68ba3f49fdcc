using Aeration;
using BuddyModel;
using Counterexamples;
using Harness;
using Harness.Operations;

namespace Cli.Tests;

/// <summary>Where the repository's files are, and the known scenarios the tests draw and write.</summary>
public static class TestFiles
{
    /// <summary>The repository root (the folder with Verification.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    public static string Regressions => Path.Combine(RepoRoot, RegressionFolder.Name);

    public static string Malformed => Path.Combine(RepoRoot, "tests", "Cli", "malformed");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Verification.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>v1's fill takes the blocks of an isolated pageblock: NR_FREE_PAGES drifts (2 operations).</summary>
    public static Scenario FillTakesIsolated => new(
        new ZoneConfig { Name = "Tiny", NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 },
        [new StartAerator(), new SetPageblockMigratetype(0, MigrateType.Isolate)],
        new AerationSetup { Aerator = new AeratorConfig { Hwm = 2, Capacity = 2 } });

    /// <summary>v1: an allocation splits an aerated block; the raw halves expand makes never request a pass.</summary>
    public static Scenario ExpandMadeRaw => new(
        new ZoneConfig { Name = "Tiny", NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 },
        [new StartAerator(), new StepWorker(), new StepWorker(), new StepHost(), new StepWorker(), new StepHost(), new StepWorker(), new AllocPages(0, MigrateType.Movable)],
        new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 4 } });

    /// <summary>v1 mid-pass: the boundary is in force when a pageblock is isolated; a later fill takes its block.</summary>
    public static Scenario BoundaryInForce => new(
        new ZoneConfig { Name = "Tiny", NrPages = 128, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 2 },
        [new StartAerator(), new StepWorker(), new StepWorker(), new StepHost(), new StepWorker(), new AllocPages(1, MigrateType.Unmovable), new SetPageblockMigratetype(20, MigrateType.Isolate)],
        new AerationSetup { Aerator = new AeratorConfig { Hwm = 1, Capacity = 2 } });

    /// <summary>The known scenarios by name, with the design they run on.</summary>
    public static IReadOnlyDictionary<string, Scenario> Known { get; } = new Dictionary<string, Scenario>
    {
        ["fill-takes-isolated"] = FillTakesIsolated,
        ["expand-made-raw"] = ExpandMadeRaw,
        ["boundary-in-force"] = BoundaryInForce,
    };

    /// <summary>A counterexample file for a known scenario (it must fail under v1).</summary>
    public static CounterexampleFile KnownFile(string name)
    {
        var sc = Known[name];
        var report = Designs.Run(Designs.V1, sc);
        if (report.Passed)
            throw new InvalidOperationException($"known scenario {name} passes under v1:\n{report.Narrate()}");
        return CounterexampleFile.FromRun(Designs.V1, sc, report, seed: 1, fixedBy: Designs.Run(Designs.V1Fixed, sc).Passed ? Designs.V1Fixed : null, title: name);
    }

    /// <summary>Run the tool in-process: exit code, standard output and error, with "\n" line ends.</summary>
    public static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Misuse: the tool exits 2 with one line on standard error that contains message, and no .NET exception anywhere.</summary>
    public static void AssertMisuse(string[] args, string message)
    {
        var (code, output, err) = RunCli(args);
        Xunit.Assert.Equal(ExitCodes.Usage, code);
        Xunit.Assert.Contains(message, err, StringComparison.Ordinal);
        Xunit.Assert.Single(err.TrimEnd('\n').Split('\n'));
        Xunit.Assert.DoesNotContain("Exception", err + output, StringComparison.Ordinal);
    }

    /// <summary>A scratch folder under the test output, fresh per call.</summary>
    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

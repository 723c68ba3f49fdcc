using System.Diagnostics;
using System.Text;

namespace Cli;

/// <summary>
/// Runs the Coyote command-line tool (the local tool of .config/dotnet-tools.json) on the
/// concurrency scenarios of tests/Concurrency, whose build rewrites the assemblies. The
/// scenarios are the [Test] methods of Concurrency.Harness.EntryPoints; the tool explores or
/// replays them, so a trace written here replays in the test harness too, and vice versa.
/// </summary>
public static class CoyoteTool
{
    /// <summary>scenario name → (design → EntryPoints method).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Scenarios =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["scrub"] = new Dictionary<string, string> { ["v1"] = "ScrubV1", ["fixed"] = "ScrubFixed" },
            ["shutdown"] = new Dictionary<string, string> { ["v1"] = "ShutdownV1", ["fixed"] = "ShutdownFixed" },
            ["startup"] = new Dictionary<string, string> { ["v1"] = "StartupV1", ["fixed"] = "StartupFixed" },
            ["dead-device"] = new Dictionary<string, string> { ["v1"] = "DeadDeviceV1" },
            ["late-device"] = new Dictionary<string, string> { ["fixed"] = "LateDeviceFixed" },
            ["two-zones"] = new Dictionary<string, string> { ["v1"] = "TwoZonesV1", ["fixed"] = "TwoZonesFixed", ["stale-boundary"] = "TwoZonesStaleBoundary" },
            // The merged design (mm/page_reporting.c). "broken" designs are seeded bugs of the test
            // project; "reporting-no-X" is mainline without the fix X (ReportingVersion.Without).
            ["reporting-unregister"] = new Dictionary<string, string> { ["reporting"] = "ReportingUnregisterMainline", ["broken"] = "ReportingUnregisterNoGracePeriod" },
            ["reporting-end-of-pass"] = new Dictionary<string, string> { ["reporting"] = "ReportingEndOfPassMainline", ["broken"] = "ReportingEndOfPassPlainStore" },
            ["reporting-merge-on-drain"] = new Dictionary<string, string> { ["reporting"] = "ReportingMergeOnDrainMainline" },
            ["reporting-freeze"] = new Dictionary<string, string> { ["reporting"] = "ReportingFreezeMainline", ["reporting-no-FreezableWork"] = "ReportingFreezeNoFreezableWork" },
            ["reporting-dead-device"] = new Dictionary<string, string> { ["reporting"] = "ReportingDeadDeviceMainline", ["reporting-no-UsedNotifyDense"] = "ReportingDeadDeviceLostNotification", ["never-answers"] = "ReportingDeadDeviceNeverAnswers" },
        };

    /// <summary>Every EntryPoints method.</summary>
    public static IEnumerable<string> Methods => Scenarios.Values.SelectMany(d => d.Values);

    public const string MethodPrefix = "Concurrency.Harness.EntryPoints.";

    /// <summary>The repository root (the folder holding Verification.sln), from the working directory up.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Verification.sln")))
                    return d.FullName;
        }
        throw new UsageException("explore and trace replay need the repository (Verification.sln not found above the working directory)");
    }

    /// <summary>Build tests/Concurrency (its build restores the coyote tool and rewrites the assemblies); returns the test dll.</summary>
    public static string BuildScenarios(string root, TextWriter log)
    {
        var (rc, output) = Run(root, "dotnet", ["build", "tests/Concurrency/Concurrency.csproj", "-c", "Debug", "--nologo", "-v", "q"]);
        if (rc != 0)
        {
            log.Write(output);
            throw new ToolFailedException("building tests/Concurrency failed (see above)");
        }
        return ScenarioDll(root);
    }

    /// <summary>Where the build of tests/Concurrency puts the rewritten scenario assembly.</summary>
    private static string ScenarioDll(string root) => Path.Combine(root, "tests", "Concurrency", "bin", "Debug", "net10.0", "Concurrency.dll");

    /// <summary>`coyote test`: returns the exit code and the tool's output.</summary>
    public static (int ExitCode, string Output) Test(string root, string dll, string method, string strategy, uint iterations, uint seed, string outDir)
    {
        var args = new List<string> { "tool", "run", "coyote", "--", "test", dll, "-m", MethodPrefix + method, "-i", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", outDir, "-ms", "5000" };
        switch (strategy)
        {
            case "random":
                args.AddRange(["-s", "random"]);
                break;
            case "pct":
                args.AddRange(["-s", "prioritization", "-sv", "10"]);
                break;
            case "probabilistic":
                // Keep the running task; switch with probability 2^-5 at each scheduling point
                // (chosen by measurement: tests/Concurrency/measurements/time-to-bug.md).
                args.AddRange(["-s", "probabilistic", "-sv", "5"]);
                break;
            case "portfolio":
                break; // the tool's default: a tuned portfolio of strategies
            default:
                throw new UsageException($"--strategy: unknown strategy '{strategy}' (random, pct, probabilistic, portfolio)");
        }
        return Run(root, "dotnet", args);
    }

    /// <summary>The scenario assembly, built first unless noBuild (then it must exist already).</summary>
    public static string ScenarioAssembly(string root, bool noBuild, TextWriter log)
    {
        string dll = noBuild ? ScenarioDll(root) : BuildScenarios(root, log);
        if (!File.Exists(dll))
            throw new UsageException($"{Path.GetRelativePath(root, dll)} does not exist: build tests/Concurrency first (or leave out --no-build)");
        return dll;
    }

    /// <summary>
    /// The scenario assembly run as a program (tests/Concurrency/Program.cs): `story` and
    /// `minimize` replay schedules in process there. Its exit codes: 0 done, 1 the trace shows no
    /// bug, 2 misuse, 3 failure; its standard output and error are returned apart.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Harness(string root, string dll, params string[] args) =>
        RunSplit(root, "dotnet", [dll, .. args]);

    /// <summary>`coyote replay`.</summary>
    public static (int ExitCode, string Output) Replay(string root, string dll, string trace, string method) =>
        Run(root, "dotnet", ["tool", "run", "coyote", "--", "replay", dll, trace, "-m", MethodPrefix + method]);

    /// <summary>The bug text in the tool's output ("[coyote::error] ..." or the line before "Reproduced"), or null.</summary>
    public static string? BugText(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        foreach (var l in lines)
        {
            int i = l.IndexOf("[coyote::error] ", StringComparison.Ordinal);
            if (i >= 0)
                return l[(i + 16)..];
        }
        int r = lines.FindIndex(l => l.Contains("Reproduced 1 bug", StringComparison.Ordinal));
        return r > 0 ? lines[r - 1].Trim() : null;
    }

    private static (int, string) Run(string root, string file, IEnumerable<string> args)
    {
        var (rc, output, error) = RunSplit(root, file, args, merged: true);
        return (rc, output + error);
    }

    private static (int, string, string) RunSplit(string root, string file, IEnumerable<string> args, bool merged = false)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_ROLL_FORWARD"] = "Major";
        psi.Environment["COYOTE_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi) ?? throw new ToolFailedException($"could not start {file}");
        var sb = new StringBuilder();
        var eb = merged ? sb : new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (sb) sb.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (sb) eb.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.WaitForExit();
        return (p.ExitCode, sb.ToString(), merged ? "" : eb.ToString());
    }
}

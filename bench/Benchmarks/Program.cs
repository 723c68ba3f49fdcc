using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Benchmarks;

// Usage:
//   dotnet run -c Release --project bench/Benchmarks [-- [--reps N] [--warmups N] [--json FILE]]
//   dotnet run -c Release --project bench/Benchmarks -- --profile [--loop SECONDS]
//   dotnet run -c Release --project bench/Benchmarks -- --bdn [BenchmarkDotNet options, e.g. --filter '*']

int reps = 11, warmups = 5;
string? json = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--bdn":
            return RunBdn(args[(i + 1)..]);
        case "--profile":
            Profile.Run(Console.Out, i + 2 < args.Length && args[i + 1] == "--loop" ? double.Parse(args[i + 2], System.Globalization.CultureInfo.InvariantCulture) : 0);
            CheckProfile.Run(Console.Out);
            return 0;
        case "--check-profile":
            if (i + 2 < args.Length && args[i + 1] == "--loop")
                CheckProfile.Loop(Console.Out, double.Parse(args[i + 2], System.Globalization.CultureInfo.InvariantCulture));
            else
            {
                CheckProfile.Run(Console.Out);
                CheckProfile.IncrementalSplit(Console.Out, 5);
            }
            return 0;
        case "--incremental-split":
            for (int k = 0; k < 2; k++)
                CheckProfile.IncrementalSplit(Console.Out, 5);
            CheckProfile.CpuTimes(Console.Out, 10);
            return 0;
        case "--json" when i + 1 < args.Length:
            json = args[++i];
            break;
        case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0:
            reps = r; i++;
            break;
        case "--warmups" when i + 1 < args.Length && int.TryParse(args[i + 1], out int w) && w >= 0:
            warmups = w; i++;
            break;
        case "-h" or "--help":
            Console.WriteLine("Benchmarks [--reps N (11)] [--warmups N (5)] [--json FILE] | --profile [--loop SECONDS] | --bdn [BenchmarkDotNet options]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

#if DEBUG
Console.Error.WriteLine("warning: Debug build; the numbers mean little. Use -c Release.");
#endif

var total = Stopwatch.StartNew();
var machine = $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}"
    + $", {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC";
Console.WriteLine($"machine: {machine}");
if (File.Exists("/proc/loadavg"))
    Console.WriteLine($"load average before the run: {File.ReadAllText("/proc/loadavg").Trim()} (other processes on the machine skew the numbers)");
Console.WriteLine($"mode: fast (Stopwatch), median of {reps} after {warmups} warm-up runs, seed {Workloads.Seed}");
var fast = new FastMode(reps, warmups, Console.Out);
fast.RunAll();
total.Stop();

Console.WriteLine();
Console.WriteLine(Table(fast.Results));
Console.WriteLine($"total time: {total.Elapsed.TotalSeconds:F1} s");

if (json is not null)
{
    var doc = new
    {
        machine,
        mode = "fast",
        reps,
        warmups,
        seed = Workloads.Seed,
        totalSeconds = total.Elapsed.TotalSeconds,
        results = fast.Results,
    };
    File.WriteAllText(json, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"json: {json}");
}
return fast.Results.Any(r => r.Met == false) ? 1 : 0;

static string Table(IReadOnlyList<Measurement> rows)
{
    string[] head = ["#", "measurement", "value", "unit", "target", "met", "note"];
    var cells = rows.Select(r => new[]
    {
        r.Id, r.Name, r.Value.ToString(r.Value >= 100 ? "F0" : r.Value >= 10 ? "F1" : "F3"), r.Unit, r.Target,
        r.Met switch { true => "yes", false => "NO", null => "" }, r.Note,
    }).ToList();
    var width = head.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
    var sb = new StringBuilder();
    void Line(string[] c)
    {
        for (int i = 0; i < c.Length; i++)
        {
            bool right = i == 2;
            string cell = right ? c[i].PadLeft(width[i]) : c[i].PadRight(width[i]);
            sb.Append(i == c.Length - 1 ? c[i] : cell + "  ");
        }
        sb.AppendLine();
    }
    Line(head);
    Line(width.Select(w => new string('-', w)).ToArray());
    foreach (var c in cells) Line(c);
    return sb.ToString().TrimEnd();
}

static int RunBdn(string[] bdnArgs)
{
    Console.WriteLine($"target 4 runs {Workloads.AerationSteps} steps per invocation ({Workloads.AerationScenarios} scenarios); target 1 runs {Workloads.MixedTimedOps} ops per invocation");
    // In-process: no generated project to build under this repository's Directory.Build.props.
    var config = DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.JoinSummary)
        .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts")); // under bin/, not the caller's directory
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(
        bdnArgs.Length == 0 ? ["--filter", "*"] : bdnArgs, config);
    return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
}

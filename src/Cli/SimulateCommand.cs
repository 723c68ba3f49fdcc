using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Simulation;

namespace Cli;

/// <summary>
/// `simulate`: a real-size guest (default 1 GiB, q35, 2 CPUs, THP on) with a design (v1,
/// v1-fixed, a version of the merged design) on the virtual clock, running a workload (a file, or a named one: NamedWorkloads).
/// Prints every report as the host receives it and a summary; --out writes the CSV, JSON and
/// HTML files (SimulationWriter). Exit 0 when the run ends with every checked invariant kept, 1
/// when one broke (the message says when), 2 misuse.
/// </summary>
public static class SimulateCommand
{
    public static Command Build(TextWriter stdout)
    {
        var design = new Option<string>("--design") { Description = $"The design: {string.Join(", ", GuestSimulation.Designs)} (reporting is mainline). Default: reporting.", DefaultValueFactory = _ => "reporting" };
        var guest = NumberOptions.WithDefault("--guest-mib", "Guest RAM in MiB.", 32, 16384, 1024);
        var machine = new Option<string>("--machine") { Description = "QEMU machine type, which splits RAM around the PCI hole: q35 or pc. Default: q35.", DefaultValueFactory = _ => "q35" };
        var cpus = NumberOptions.WithDefault("--cpus", "CPUs of the guest (they divide the low watermark into pcp->high).", 1, 256, 2);
        var noThp = new Option<bool>("--no-thp") { Description = "Transparent huge pages off: min_free_kbytes stays the square-root formula's (default: on, as distro kernels boot)." };
        var workload = new Option<string?>("--workload") { Description = "A workload file (README: the workload format). Default: the named workload 'burst'." };
        var named = new Option<string?>("--named") { Description = $"A named workload: {string.Join(", ", NamedWorkloads.All.Select(w => w.Name))}." };
        var outDir = new Option<string?>("--out") { Description = "Write samples.csv, reports.csv, result.json and index.html (charts) into this folder." };
        var quiet = new Option<bool>("--quiet") { Description = "Print the summary only, not every report." };
        var command = new Command("simulate", "Run a real-size guest with the merged design on a virtual clock: what goes back to the host, when, and what it costs.")
        {
            design, guest, machine, cpus, noThp, workload, named, outDir, quiet,
        };
        command.SetAction(parse =>
        {
            string d = parse.GetValue(design)!;
            if (!GuestSimulation.Designs.Contains(d))
                throw new UsageException($"--design: '{d}' is not simulated (designs: {string.Join(", ", GuestSimulation.Designs)})");
            var m = parse.GetValue(machine) switch
            {
                "q35" => QemuMachine.Q35,
                "pc" => QemuMachine.Pc,
                var other => throw new UsageException($"--machine: '{other}' is not q35 or pc"),
            };
            long mib = parse.GetValue(guest);
            var w = LoadWorkload(parse.GetValue(workload), parse.GetValue(named));
            var config = new SimulationConfig { GuestMiB = mib, Machine = m, Cpus = (int)parse.GetValue(cpus), Thp = !parse.GetValue(noThp) };
            return Execute(config, d, w, parse.GetValue(outDir), parse.GetValue(quiet), stdout);
        });
        return command;
    }

    /// <summary>The workload of --workload FILE or --named NAME (one at most; default: the named default), or a UsageException naming the problem.</summary>
    internal static Workload LoadWorkload(string? file, string? name)
    {
        if (file is not null && name is not null)
            throw new UsageException("--workload and --named: give one of them");
        if (name is not null)
            return NamedWorkloads.Named(name) ?? throw new UsageException($"--named: no workload '{name}' (named workloads: {string.Join(", ", NamedWorkloads.All.Select(x => x.Name))})");
        if (file is null)
            return NamedWorkloads.Named(NamedWorkloads.Default)!;
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--workload: cannot read '{file}': {e.Message}");
        }
        try
        {
            return WorkloadParser.Parse(Path.GetFileNameWithoutExtension(file), text);
        }
        catch (WorkloadException e)
        {
            throw new UsageException($"--workload: {file}: {e.Message}");
        }
    }

    /// <summary>Run and report; the exit code.</summary>
    public static int Execute(SimulationConfig config, string design, Workload workload, string? outDir, bool quiet, TextWriter stdout)
    {
        var sim = GuestSimulation.Named(config, design)!;
        stdout.WriteLine($"simulate: {design} on a {config.GuestMiB} MiB {config.Machine.ToString().ToLowerInvariant()} guest, {config.Cpus} CPUs, THP {(config.Thp ? "on" : "off")}; workload {workload.Name} ({workload.Steps.Count} steps, {SimulationWriter.Seconds(workload.SleepJiffies)} s of sleep)");
        foreach (var z in sim.Zones)
            stdout.WriteLine($"  zone {z.Config.Name}: pfn {z.StartPfn}..{z.EndPfn - 1} ({Mib(z.NrPages)} MiB), watermarks min {z.Watermark.Min} low {z.Watermark.Low} high {z.Watermark.High} pages");
        var clock = Stopwatch.StartNew();
        SimulationResult r;
        try
        {
            r = sim.Run(workload);
        }
        catch (SimulationFailure e)
        {
            stdout.WriteLine($"FAILED: {e.Message}");
            return ExitCodes.Failed;
        }
        if (!quiet)
        {
            // A pass is the reports the host received at one instant: one run of the work (the
            // merged design's page_reporting_process, v1's aerator_cycle).
            int passStart = 0;
            for (int i = 0; i < r.Reports.Count; i++)
            {
                var e = r.Reports[i];
                stdout.WriteLine($"  {SimulationWriter.Seconds(e.Jiffies),9} s  report  {e.Zone,-6} {e.Ranges.Count,3} entries  {Mib(e.Bytes >> 12),8} MiB  first 0x{e.Ranges[0].Gpa:x}");
                if (i + 1 == r.Reports.Count || r.Reports[i + 1].Jiffies != e.Jiffies)
                {
                    var pass = r.Reports.Skip(passStart).Take(i + 1 - passStart).ToArray();
                    passStart = i + 1;
                    stdout.WriteLine($"  {SimulationWriter.Seconds(e.Jiffies),9} s  pass    {pass.Length} report(s), {pass.Sum(x => x.Ranges.Count)} entries, {Mib(pass.Sum(x => x.Bytes) >> 12)} MiB ({string.Join(", ", pass.Select(x => x.Zone).Distinct())})");
                }
            }
        }
        var end = r.Samples[^1];
        string At(long seconds) => r.Samples[^1].Jiffies >= seconds * SimulationResult.Hz ? $"{Mib(r.At(seconds * SimulationResult.Hz).HostBackedPages)} MiB" : "(run ended before)";
        long peak = r.Samples.Max(s => s.HostBackedPages);
        stdout.WriteLine($"  host backs: peak {Mib(peak)} MiB; at 10 s {At(10)}; at 60 s {At(60)}; at the end ({SimulationWriter.Seconds(end.Jiffies)} s) {Mib(end.HostBackedPages)} MiB");
        stdout.WriteLine($"  reports: {r.Reports.Count}, {(r.Reports.Count == 0 ? 0 : r.Reports.Average(e => e.Ranges.Count)).ToString("F1", CultureInfo.InvariantCulture)} entries each on average, {Mib(r.Reports.Sum(e => e.Bytes) >> 12)} MiB in all");
        stdout.WriteLine($"  refaults: {end.Refaults} pages; re-reported: {end.ReReportedPages} pages; allocation failures: {end.AllocationFailures}");
        stdout.WriteLine($"  per-cpu lists hold {Mib(sim.PerCpu.Sum(p => p.Count))} MiB that no report reaches (pcp->high {string.Join(", ", sim.PerCpu.Select((p, i) => $"{sim.Zones[i].Config.Name} {p.High}"))} pages)");
        stdout.WriteLine($"  time: {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s for {SimulationWriter.Seconds(end.Jiffies)} s of guest time");
        if (outDir is not null)
        {
            SimulationWriter.Write(outDir, [r]);
            stdout.WriteLine($"  written: {Path.Combine(outDir, "index.html")} (and samples.csv, reports.csv, result.json)");
        }
        stdout.WriteLine($"OK: the allocator's invariants held at every check (every second of guest time and at the end)");
        return ExitCodes.Ok;
    }

    private static string Mib(long pages) => (pages / 256.0).ToString("0.#", CultureInfo.InvariantCulture);
}

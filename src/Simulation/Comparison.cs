using System.Globalization;
using System.Text;

namespace Simulation;

/// <summary>One design's row of a comparison: its run, or the failure that ended it.</summary>
public sealed record ComparisonRow(string Design, SimulationResult? Result, string? Failure, long PerCpuPages)
{
    /// <summary>The generated check's verdict for the design ("OK (200 runs)", or the invariant it broke), when one ran.</summary>
    public string? Check { get; init; }

    /// <summary>Where the generated check's counterexample was written, when it found one.</summary>
    public string? CheckFile { get; init; }

    /// <summary>MiB the host got back (backed pages it discarded) by the given second, or null when the run failed or ended before.</summary>
    public double? ReturnedMiB(long seconds) =>
        Result is { } r && r.Samples[^1].Jiffies >= seconds * SimulationResult.Hz ? r.At(seconds * SimulationResult.Hz).ReturnedPages / 256.0 : null;
}

/// <summary>
/// The same workload on the same guest, run under several designs (v1, v1-fixed, the merged design's versions), and
/// the side-by-side table `compare` prints: whether the allocator's invariants held through the
/// simulation, the generated check's verdict (when the caller ran one), memory returned to
/// the host by 10 s and by 60 s, reports and entries per report, re-reported and refaulted
/// memory, allocation failures, and what the per-cpu lists kept from every report.
/// </summary>
public static class Comparison
{
    /// <summary>Run the workload under each design (GuestSimulation.Designs names them); a failure is a row, not an exception.</summary>
    public static IReadOnlyList<ComparisonRow> Run(SimulationConfig config, IReadOnlyList<string> designs, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(designs);
        var rows = new List<ComparisonRow>();
        foreach (string d in designs)
        {
            var sim = GuestSimulation.Named(config, d) ?? throw new ArgumentException($"'{d}' is not a simulated design", nameof(designs));
            try
            {
                rows.Add(new ComparisonRow(d, sim.Run(workload), null, sim.PerCpu.Sum(p => p.Count)));
            }
            catch (SimulationFailure e)
            {
                rows.Add(new ComparisonRow(d, null, e.Message, sim.PerCpu.Sum(p => p.Count)));
            }
        }
        return rows;
    }

    /// <summary>The table as aligned text, one row per design.</summary>
    public static string Table(IReadOnlyList<ComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        bool checks = rows.Any(r => r.Check is not null);
        string[] head = ["design", "simulation", .. checks ? new[] { "generated check" } : [], "returned by 10 s", "by 60 s", "reports", "entries/report", "re-reported", "refaults", "alloc failures", "kept on pcp lists"];
        var cells = rows.Select(r =>
        {
            var end = r.Result?.Samples[^1];
            var reports = r.Result?.Reports ?? [];
            return new[]
            {
                r.Design,
                r.Failure is null ? "held" : "VIOLATED",
            }.Concat(checks ? [r.Check ?? "-"] : []).Concat(new[]
            {
                Mib(r.ReturnedMiB(10)),
                Mib(r.ReturnedMiB(60)),
                end is null ? "-" : end.Reports.ToString(CultureInfo.InvariantCulture),
                reports.Count == 0 ? "-" : reports.Average(e => e.Ranges.Count).ToString("0.0", CultureInfo.InvariantCulture),
                end is null ? "-" : Mib(end.ReReportedPages / 256.0),
                end is null ? "-" : Mib(end.Refaults / 256.0),
                end is null ? "-" : end.AllocationFailures.ToString(CultureInfo.InvariantCulture),
                Mib(r.PerCpuPages / 256.0),
            }).ToArray();
        }).ToList();
        var widths = head.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        void Line(string[] c) => sb.Append(string.Join("  ", c.Select((x, i) => i == 0 ? x.PadRight(widths[i]) : x.PadLeft(widths[i]))).TrimEnd()).Append('\n');
        Line(head);
        foreach (var c in cells)
            Line(c);
        foreach (var r in rows.Where(r => r.Failure is not null))
            sb.Append(CultureInfo.InvariantCulture, $"{r.Design}: the simulation stopped: {r.Failure}\n");
        foreach (var r in rows.Where(r => r.CheckFile is not null))
            sb.Append(CultureInfo.InvariantCulture, $"{r.Design}: the generated check found {r.Check}; counterexample: {r.CheckFile}\n");
        return sb.ToString();
    }

    private static string Mib(double? mib) => mib is double m ? m.ToString("0.#", CultureInfo.InvariantCulture) + " MiB" : "-";
}

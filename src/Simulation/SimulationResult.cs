namespace Simulation;

/// <summary>One range of a report or hint as the host received it: guest-physical address and length in bytes.</summary>
public readonly record struct ReportedRange(long Gpa, long Bytes);

/// <summary>One report (merged design) or hint batch (v1) as the host received it: when, from which zone, and its ranges.</summary>
public sealed record ReportEvent(long Jiffies, string Zone, IReadOnlyList<ReportedRange> Ranges)
{
    /// <summary>The bytes the report covers.</summary>
    public long Bytes => Ranges.Sum(r => r.Bytes);
}

/// <summary>
/// The guest and host at one moment of virtual time (cumulative counts since boot):
/// - HostBackedPages: guest frames the host backs (touched at least once and not dropped since);
/// - ReturnedPages: backed frames the host discarded after a report (memory given back to the host);
/// - Refaults: guest touches of a frame whose backing the host had dropped (a VM exit and a zero fill each);
/// - ReReportedPages: pages reported again while the host had already discarded them (not touched since);
/// - Reports: reports (or hint batches) the host received;
/// - AllocationFailures: allocations the guest asked for and did not get.
/// </summary>
public sealed record SimulationSample(long Jiffies, long HostBackedPages, long ReturnedPages, long Refaults, long ReReportedPages, long Reports, long AllocationFailures);

/// <summary>What one run of a workload on a design did: the samples over time and every report, in order.</summary>
public sealed record SimulationResult(string Design, string Workload, long GuestMiB, IReadOnlyList<SimulationSample> Samples, IReadOnlyList<ReportEvent> Reports)
{
    /// <summary>CONFIG_HZ of the clock the jiffies count.</summary>
    public const int Hz = WorkloadParser.Hz;

    /// <summary>The last sample at or before the given jiffies (the first one when none is).</summary>
    public SimulationSample At(long jiffies)
    {
        if (Samples.Count == 0)
            throw new InvalidOperationException("the run has no samples");
        SimulationSample best = Samples[0];
        foreach (var s in Samples)
            if (s.Jiffies <= jiffies)
                best = s;
        return best;
    }
}

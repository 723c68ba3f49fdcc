using Reporting;
using Specs.Guest;

namespace Specs.Reporting;

/// <summary>
/// The merged design's invariants at every point where zone->lock is free, in order, then the
/// guest's (Specs.Guest). Isolation respected and Min watermark kept are checked right after a
/// report was submitted (IsolationRespected.Check, MinWatermarkKept.Check); progress and the
/// liveness half of No lost request when a scenario settles.
/// </summary>
public static class ReportingInvariants
{
    [ThreadStatic]
    private static Invariant<IReportingSubject>[]? t_all;

    /// <summary>All reporting invariants, in the order they are checked.</summary>
    public static IReadOnlyList<Invariant<IReportingSubject>> All => Instances;

    private static Invariant<IReportingSubject>[] Instances => t_all ??=
    [
        new ReportingLifetime(), new IsolatedBlocksComeBack(), new ReportedMeansAcknowledged(), new NoLostRequest(), new ReportingOrderInRange(),
    ];

    /// <summary>The first violation, or null.</summary>
    public static Violation? CheckAll(IReportingSubject s)
    {
        foreach (var inv in Instances)
            if (inv.Check(s) is { } v)
                return v;
        return GuestInvariants.CheckAll(s);
    }
}

using Reporting;

namespace Specs.Reporting;

/// <summary>
/// No lost request (the state machine): while the device is published, IDLE means no work is
/// pending and no pass runs; REQUESTED with no pass running means the work is pending, so that
/// the request is served; ACTIVE only while a pass runs. A notify that arrives during a pass
/// leaves REQUESTED behind, which the end of the pass turns into one more pass. Its liveness
/// half, checked by the harness: every free of a block of the reporting order or above asks for
/// reporting (NotNotified), and once nothing else happens a pass has started after the last
/// request, a cycle cut short by its budget counting as one (Unserved).
/// </summary>
public sealed class NoLostRequest : Invariant<IReportingSubject>
{
    public override string Name => "No lost request";

    public override string Guarantee => "every free that asks for reporting is followed by a pass that sees it";

    public override Violation? Check(IReportingSubject s)
    {
        var prdev = s.Registered;
        if (prdev?.Work is not { } work || !ReferenceEquals(s.Reporting.DevInfo, prdev) || s.Worker.State == ReportingWorkerState.Crashed)
            return null;
        var state = prdev.CurrentState;
        string zone = s.Zone.Config.Name;
        bool running = s.Worker.State != ReportingWorkerState.Idle;
        string found = $"state {StateName(state)}, worker {s.Worker.State}, work {(work.Pending ? "pending" : "not pending")}";
        if (running)
            return state == ReportingState.Idle
                ? new Violation(Name, zone, "ACTIVE or REQUESTED while a pass runs", found)
                : null;
        return state switch
        {
            ReportingState.Active => new Violation(Name, zone, "ACTIVE only while a pass runs", found),
            ReportingState.Requested when !work.Pending => new Violation(Name, zone, "REQUESTED with no pass running means the work is pending", found + ": the request is lost"),
            ReportingState.Idle when work.Pending => new Violation(Name, zone, "IDLE means no work is pending", found),
            _ => null,
        };
    }

    private static string StateName(ReportingState s) => s switch
    {
        ReportingState.Idle => "IDLE",
        ReportingState.Requested => "REQUESTED",
        _ => "ACTIVE",
    };

    /// <summary>A free that made a block of order >= the reporting order while a device was published did not notify.</summary>
    public static Violation NotNotified(IReportingSubject s, int pfn, int order, uint reportingOrder)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new Violation("No lost request", s.ZoneOf(pfn).Config.Name,
            $"a free that leaves a free block of order >= page_reporting_order ({reportingOrder}) asks for reporting",
            $"the free made an order-{order} block at pfn {pfn} and no request was made", order, null, pfn);
    }

    /// <summary>Once nothing else happens, the last request (at step requestStep) has had no pass started after it (the last at passStep, or none).</summary>
    public static Violation Unserved(IReportingSubject s, long requestStep, long passStep)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new Violation("No lost request", s.Zone.Config.Name,
            "every request for reporting followed by a pass that starts after it",
            $"the request at step {requestStep} (a free that asked for reporting, or a cycle cut short by its budget) had no pass started after it ({(passStep > 0 ? $"the last began at step {passStep}" : "none began")}; state {s.Registered?.CurrentState}, worker {s.Worker.State}): the request is lost");
    }
}

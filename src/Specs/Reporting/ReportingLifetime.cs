namespace Specs.Reporting;

/// <summary>
/// Lifetime: nothing uses the device or its virtqueues once they are gone: after
/// page_reporting_unregister returns the pointer is NULL, no report is ever made again and no
/// work is pending; and no report touches a virtqueue that freeze deleted (the model raises an
/// oops at such a use, which stops the worker).
/// </summary>
public sealed class ReportingLifetime : Invariant<IReportingSubject>
{
    public override string Name => "Reporting lifetime";

    public override string Guarantee => "unregister and freeze really stop reporting: no use of a device or a virtqueue that is gone";

    public override Violation? Check(IReportingSubject s)
    {
        string zone = s.Zone.Config.Name;
        if (s.Worker.Oops is { } oops)
            return new Violation(Name, zone, "no use of the device or its virtqueues after they are gone", $"the worker oopsed: {oops}");
        if (s.ReportsWhenUnregistered is not int before)
            return null;
        if (s.Reporting.DevInfo is not null)
            return new Violation(Name, zone, "pr_dev_info NULL once page_reporting_unregister returned", "a device still published");
        if (s.Reporting.Events.Reports != before)
            return new Violation(Name, zone, $"no report after page_reporting_unregister returned ({before} before it)",
                $"{s.Reporting.Events.Reports - before} report(s) made since");
        if (s.Registered?.Work is { Pending: true })
            return new Violation(Name, zone, "no reporting work pending once page_reporting_unregister returned", "the work is pending");
        return null;
    }
}

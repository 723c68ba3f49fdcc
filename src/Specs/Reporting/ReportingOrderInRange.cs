using BuddyModel;

namespace Specs.Reporting;

/// <summary>
/// Reporting order in range: while a device is registered, the order reporting works from
/// names a free_area that exists (0..MAX_ORDER-1), and a driver's valid request for an order
/// (prdev->order, 5.14+) is the order used unless the administrator set page_reporting_order
/// (boot command line or sysfs), which wins.
/// </summary>
public sealed class ReportingOrderInRange : Invariant<IReportingSubject>
{
    private const int Capacity = global::Reporting.PageReporting.Capacity;

    public override string Name => "Reporting order in range";

    public override string Guarantee => "reporting works on orders that exist, the ones the driver or the administrator asked for";

    public override Violation? Check(IReportingSubject s)
    {
        if (s.Registered is null || !ReferenceEquals(s.Reporting.DevInfo, s.Registered))
            return null;
        var zone = s.Zone;
        uint order = s.Reporting.ReportingOrder;
        if (order > (uint)(zone.MaxOrder - 1))
        {
            // The gate adds PAGE_REPORTING_CAPACITY << order to the low watermark in 32 bits (x86 masks the shift count).
            ulong exact = order < 58 ? (ulong)Capacity << (int)order : ulong.MaxValue;
            uint used = unchecked((uint)Capacity << (int)(order & 31));
            return new Violation(Name, zone.Config.Name, $"a reporting order from 0 to MAX_ORDER-1 ({zone.MaxOrder - 1}) while a device is registered",
                $"page_reporting_order {order}: no free_area of that order exists, so nothing is ever reported"
                + (exact != used ? $" (and the gate's {Capacity} << {order} wraps to {used})" : ""));
        }
        if (s.RequestedOrder is int want && want >= 0 && want < zone.MaxOrder && !s.OrderParameterWritten && order != (uint)want)
            return new Violation(Name, zone.Config.Name, $"the driver's requested order {want} used (no page_reporting_order was set)",
                $"reporting order {order}", want);
        return null;
    }
}

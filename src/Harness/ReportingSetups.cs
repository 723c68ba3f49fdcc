using Reporting;

namespace Harness;

/// <summary>How a scenario of the merged design describes its setup to a reader.</summary>
public static class ReportingSetups
{
    /// <summary>One line: the guest's poisoning, the device's features, the orders, the host.</summary>
    public static string Describe(ReportingSetup s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var parts = new List<string>();
        if (s.Guest.PagePoisoning)
            parts.Add($"page poisoning on (PAGE_POISON {(s.Offered.PagePoison ? "offered" : "not offered")})");
        if (s.Guest.InitOnFree)
            parts.Add("init_on_free on");
        if (s.DriverOrder is int d)
            parts.Add($"driver order {d}");
        if (s.BootOrder is long b)
            parts.Add($"page_reporting_order={b} at boot");
        if (s.Host.DiscardInhibited)
            parts.Add("host discard inhibited");
        if (s.Host.HostPageOrder > 0)
            parts.Add($"host pages of order {s.Host.HostPageOrder}");
        return parts.Count == 0 ? "reporting: defaults" : "reporting: " + string.Join(", ", parts);
    }
}

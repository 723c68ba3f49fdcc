namespace Specs.Reporting;

/// <summary>
/// Min watermark kept: reporting takes a block only while the zone stays above its min
/// watermark (__isolate_free_page's min + 2^order test), so that the memory out with the host
/// never makes an atomic allocation fail. Checked right after a report is submitted, the only
/// step in which reporting takes memory away.
/// </summary>
public static class MinWatermarkKept
{
    public const string Name = "Min watermark kept";

    public const string Guarantee = "the blocks out for a report never take the zone below its min watermark";

    /// <summary>The violation after a submitted report, or null.</summary>
    public static Violation? Check(IReportingSubject s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var zone = s.Worker.ReportingZone ?? s.Zone; // the zone whose blocks are out (watermarks are per zone)
        if (zone.NrFreePages >= zone.Watermark.Min)
            return null;
        long held = s.Worker.InFlight.Sum(e => 1L << e.Order);
        return new Violation(Name, zone.Config.Name,
            $"NR_FREE_PAGES at or above the min watermark ({zone.Watermark.Min}) with a report out",
            $"NR_FREE_PAGES {zone.NrFreePages} with {held} pages out in the report");
    }
}

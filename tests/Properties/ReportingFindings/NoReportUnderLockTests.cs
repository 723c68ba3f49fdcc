using BuddyModel;
using Reporting;
using Specs.Reporting;
using Xunit;

namespace Properties.ReportingFindings;

/// <summary>The lock watch behind "Never report under the lock" sees a held zone lock, and only then.</summary>
public sealed class NoReportUnderLockTests
{
    private sealed class Device : IPageReportingDevice
    {
        public int Started { get; private set; }

        public int Start(IReadOnlyList<ScatterEntry> sg) { Started++; return 0; }

        public bool Completed(out int err) { err = 0; return true; }
    }

    private static readonly ZoneConfig Config = new() { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 4 };

    [Fact]
    public void A_report_with_zone_lock_held_is_a_violation_naming_the_zone()
    {
        var zone = new Zone(Config);
        var device = new Device();
        var watch = new NoReportUnderLock(device, [zone]);
        lock (zone.Lock)
            watch.Start([new ScatterEntry(0, 5)]);
        Assert.Equal(1, device.Started);
        var v = watch.Check();
        Assert.NotNull(v);
        Assert.Equal("Never report under the lock", v!.Invariant);
        Assert.Contains("report() ran with zone->lock held", v.ToString(), StringComparison.Ordinal);
        Assert.Equal("Small", watch.HeldAtReport);
    }

    [Fact]
    public void A_report_with_the_lock_free_passes()
    {
        var zone = new Zone(Config);
        var watch = new NoReportUnderLock(new Device(), [zone]);
        watch.Start([new ScatterEntry(0, 5)]);
        Assert.Null(watch.Check());
    }
}

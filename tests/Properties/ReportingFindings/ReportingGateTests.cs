using BuddyModel;
using Specs.Reporting;
using Xunit;

namespace Properties.ReportingFindings;

/// <summary>Reporting gate kept: the exact gate, and the violation for a pass that reported below it.</summary>
public sealed class ReportingGateTests
{
    private static readonly Zone Zone = new(new ZoneConfig { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 2, MinWatermarkPages = 4 });

    [Fact]
    public void The_gate_is_the_low_watermark_plus_32_blocks_of_the_order_without_wrapping()
    {
        Assert.Equal(Zone.Watermark.Low + 128, ReportingGateKept.Gate(Zone, 2));
        Assert.Equal(Zone.Watermark.Low + (32L << 27), ReportingGateKept.Gate(Zone, 27)); // the kernel's 32-bit sum wraps to low here
        Assert.True(ReportingGateKept.Gate(Zone, 64) > int.MaxValue);
    }

    [Fact]
    public void A_pass_that_reported_below_the_gate_is_a_violation()
    {
        Assert.Null(ReportingGateKept.CheckPassStart(Zone, 2, aboveGate: true, 256));
        var v = ReportingGateKept.CheckPassStart(Zone, 2, aboveGate: false, 100);
        Assert.NotNull(v);
        Assert.Equal("Reporting gate kept", v!.Invariant);
        Assert.Contains("a pass reported with NR_FREE_PAGES 100 when it began", v.ToString(), StringComparison.Ordinal);
    }
}

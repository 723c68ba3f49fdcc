using Aeration.Virtio;
using BuddyModel;
using Reporting;
using Reporting.Virtio;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>
/// The virtio side of the merged design: virtballoon_validate, the probe, report() on
/// reporting_vq, QEMU's handling (discard or skip, always acknowledge), freeze/restore and the
/// used-buffer notification of a dense virtio-ccw layout.
/// </summary>
public class VirtioReportingTests
{
    private static readonly ZoneConfig Config = new() { NrPages = 1024, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 8 };

    private static ReportingSystem Probed(ReportingVersion v, ReportingSetup? setup = null)
    {
        var sys = ReportingSystem.Create(v, Config, setup);
        Assert.Equal(0, sys.Probe());
        return sys;
    }

    [Fact]
    public void Report_is_one_buffer_of_32_device_writable_elements_each_a_whole_block()
    {
        var sys = Probed(ReportingVersion.Mainline);
        sys.AdvanceToDue();
        Assert.Equal(ReportingStep.Submitted, sys.Worker.Step());
        var vq = sys.Driver.Vq!;
        Assert.Equal(128 - 32, vq.NumFree);
        Assert.Equal(1, vq.Kicks);
        var (head, _) = vq.PopAvail()!.Value;
        var chain = vq.ReadChain(head);
        Assert.Equal(32, chain.Count);
        Assert.All(chain, d => Assert.True((d.Flags & VringDesc.FWrite) != 0));
        Assert.All(chain, d => Assert.Equal(16u * 4096, d.Len));
        Assert.Equal(sys.Worker.InFlight.Select(e => (ulong)e.Pfn << 12), chain.Select(d => d.Addr));
        // Until the device uses the buffer and interrupts, the worker waits.
        Assert.Equal(ReportingStep.NoProgress, sys.Worker.Step());
        vq.PushUsed(head, 0);
        Assert.Equal(ReportingStep.NoProgress, sys.Worker.Step()); // no interrupt yet: still asleep
        sys.Driver.Interrupt();
        Assert.Equal(ReportingStep.Submitted, sys.Worker.Step());  // drained, next report (the leftover)
        Assert.Equal(128 - 32, vq.NumFree);                        // the first chain came back whole
    }

    [Fact]
    public void The_host_discards_reported_ranges_which_then_read_zero()
    {
        var sys = Probed(ReportingVersion.Mainline);
        for (int p = 0; p < Config.NrPages; p++)
            sys.Memory.Write(p, 0x5a5a);
        Assert.Equal(2, sys.RunToQuiescence());
        Assert.Equal(64, sys.Host.Ranges.Count);
        Assert.All(sys.Host.Ranges, r => Assert.True(r.Discarded));
        Assert.Equal(1024, sys.Memory.FramesDropped);
        Assert.All(Enumerable.Range(0, 1024), p => Assert.Equal(0UL, sys.Memory.Read(p)));
        Assert.All(Enumerable.Range(0, 64), i => Assert.True((sys.Zone.Flags(i * 16) & PageFlags.Reported) != 0));
        Assert.Equal(ReportingState.Idle, sys.Driver.DevInfo!.CurrentState);
    }

    public static TheoryData<string, ReportingSetup> SkipSetups => new()
    {
        { "discard inhibited", new ReportingSetup { Host = new HostOptions { DiscardInhibited = true } } },
        { "poison_val is not zero", new ReportingSetup { Offered = new BalloonFeatures { Hinting = true, PagePoison = true }, Guest = new GuestPoisoning { PagePoisoning = true } } },
        { "range not aligned to the host page size", new ReportingSetup { Host = new HostOptions { HostPageOrder = 5 } } },
    };

    [Theory]
    [MemberData(nameof(SkipSetups))]
    public void A_host_that_skips_the_discard_still_acknowledges_and_the_blocks_count_as_reported(string reason, ReportingSetup setup)
    {
        var sys = Probed(ReportingVersion.Mainline, setup);
        for (int p = 0; p < Config.NrPages; p++)
            sys.Memory.Write(p, 0xaaaa_aaaa_aaaa_aaaaUL);
        Assert.Equal(2, sys.RunToQuiescence());
        Assert.Equal(64, sys.Host.Ranges.Count);
        Assert.All(sys.Host.Ranges, r => Assert.Equal(reason, r.SkippedBecause));
        Assert.Equal(0, sys.Memory.FramesDropped);
        Assert.Equal(0xaaaa_aaaa_aaaa_aaaaUL, sys.Memory.Read(100));
        Assert.Equal(64, sys.Reporting.Events.MarkedReported);
    }

    [Fact]
    public void Validate_keeps_poison_only_for_a_poisoning_guest_and_the_fix_drops_reporting_without_it()
    {
        var offeredNoPoison = new BalloonFeatures { Hinting = true, PagePoison = false };
        var offeredPoison = new BalloonFeatures { Hinting = true, PagePoison = true };
        var poisoning = new GuestPoisoning { PagePoisoning = true };
        var plain = new GuestPoisoning();
        // A guest that neither poisons nor inits free pages: PAGE_POISON is cleared, reporting stays.
        var f = ReportingDriver.Validate(offeredPoison, plain, validatePoison: true);
        Assert.True(f.Hinting);
        Assert.False(f.PagePoison);
        Assert.Equal(0u, f.PoisonVal);
        // A poisoning guest with a PAGE_POISON device: poison_val 0xaaaaaaaa.
        f = ReportingDriver.Validate(offeredPoison, poisoning, validatePoison: true);
        Assert.True(f.Hinting && f.PagePoison);
        Assert.Equal(0xaaaa_aaaau, f.PoisonVal);
        // init_on_free: poison_val 0, so the host may discard (the page reads zero, as initialised).
        f = ReportingDriver.Validate(offeredPoison, new GuestPoisoning { InitOnFree = true }, validatePoison: true);
        Assert.Equal(0u, f.PoisonVal);
        // A poisoning guest and a device without PAGE_POISON: the 5.7 stable fix drops F_REPORTING.
        Assert.False(ReportingDriver.Validate(offeredNoPoison, poisoning, validatePoison: true).Hinting);
        Assert.True(ReportingDriver.Validate(offeredNoPoison, poisoning, validatePoison: false).Hinting);
    }

    [Fact]
    public void Without_the_poison_fix_a_poisoning_guest_gets_its_free_pages_back_zeroed()
    {
        var setup = new ReportingSetup { Guest = new GuestPoisoning { PagePoisoning = true } };
        var fixedSys = Probed(ReportingVersion.V5_10, setup);
        Assert.Null(fixedSys.Driver.DevInfo);
        Assert.False(fixedSys.Reporting.Enabled.Enabled);
        Assert.Equal(0, fixedSys.RunToQuiescence());

        var sys = Probed(ReportingVersion.V5_7, setup);
        for (int p = 0; p < Config.NrPages; p++)
            sys.Memory.Write(p, 0xaaaa_aaaa_aaaa_aaaaUL); // poisoned on free
        Assert.Equal(2, sys.RunToQuiescence());
        Assert.Equal(0UL, sys.Memory.Read(0)); // the poison check on the next allocation would fail
    }

    [Fact]
    public void With_init_on_free_and_PAGE_POISON_poison_val_is_zero_and_discarded_pages_read_it()
    {
        var setup = new ReportingSetup { Offered = new BalloonFeatures { Hinting = true, PagePoison = true }, Guest = new GuestPoisoning { InitOnFree = true } };
        var sys = Probed(ReportingVersion.Mainline, setup);
        Assert.True(sys.Driver.Negotiated.PagePoison);
        Assert.Equal(0u, sys.Driver.Negotiated.PoisonVal);
        for (int p = 0; p < Config.NrPages; p++)
            sys.Memory.Write(p, 0); // init_on_free zeroes freed pages
        sys.RunToQuiescence();
        Assert.All(sys.Host.Ranges, r => Assert.True(r.Discarded));
        Assert.Equal(1024, sys.Memory.FramesDropped);
        Assert.True(sys.Memory.Dropped(17));
        Assert.Equal(0UL, sys.Memory.Read(17));
    }

    [Fact]
    public void A_ring_smaller_than_the_capacity_is_refused_at_probe()
    {
        var sys = ReportingSystem.Create(ReportingVersion.Mainline, Config, new ReportingSetup { VqSize = 16 });
        Assert.Equal(ReportingDriver.ENoSpc, sys.Probe());
        Assert.Null(sys.Reporting.DevInfo);
    }

    [Fact]
    public void A_free_during_hibernation_runs_the_work_on_the_deleted_queue_unless_the_work_is_freezable()
    {
        foreach (var (v, crashes) in new[] { (ReportingVersion.Mainline.Without(ReportingFixes.FreezableWork), true), (ReportingVersion.Mainline, false) })
        {
            var sys = Probed(v);
            sys.RunToQuiescence();
            sys.Freeze();
            Assert.Null(sys.Driver.Vq);
            int p = sys.Zone.Allocate(2, MigrateType.Movable);
            sys.Zone.Free(p, 2); // notify: REQUESTED, work scheduled
            sys.AdvanceToDue();
            var step = sys.Worker.Step();
            if (crashes)
            {
                Assert.Equal(ReportingStep.Crashed, step);
                Assert.Contains("use after free", sys.Worker.Oops);
                continue;
            }
            Assert.Equal(ReportingStep.NoProgress, step); // frozen: the work stays pending
            Assert.True(sys.Driver.DevInfo!.Work!.Pending);
            sys.Restore();
            Assert.NotNull(sys.Driver.Vq);
            Assert.Equal(1, sys.RunToQuiescence()); // the merged block is reported on the new queue
            Assert.Null(sys.Worker.Oops);
        }
    }

    [Fact]
    public void A_lost_used_notification_leaves_the_worker_in_report_and_unregister_never_returns()
    {
        var setup = new ReportingSetup { Host = new HostOptions { DenseLayout = true } };
        var sys = Probed(ReportingVersion.Mainline.Without(ReportingFixes.UsedNotifyDense), setup);
        sys.RunToQuiescence();
        Assert.Equal(ReportingWorkerState.Reporting, sys.Worker.State);
        Assert.Equal(1, sys.Host.LostNotifications);
        Assert.Equal(32, sys.Worker.InFlight.Count);
        Assert.Equal(1024 - 32 * 16, sys.Zone.NrFreePages); // 32 blocks stay isolated
        var u = sys.Remove();
        for (int i = 0; i < 10; i++)
            Assert.False(u.Step());
        Assert.True(u.Cancelling);

        var fixedSys = Probed(ReportingVersion.Mainline, setup);
        Assert.Equal(2, fixedSys.RunToQuiescence());
        Assert.Equal(ReportingWorkerState.Idle, fixedSys.Worker.State);
        Assert.True(fixedSys.Remove().Step());
    }
}

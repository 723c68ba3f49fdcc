using Kernel;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>The delayed work on the virtual clock, cancel_delayed_work_sync, and freezable workqueues.</summary>
public class KernelPrimitiveTests
{
    [Fact]
    public void A_delayed_work_is_due_at_now_plus_delay_and_a_second_schedule_keeps_the_first_due_time()
    {
        var clock = new VirtualClock();
        var w = new DelayedWork("w", clock);
        clock.Advance(10);
        Assert.True(w.Schedule(500));
        Assert.Equal(510, w.DueAt);
        clock.Advance(100);
        Assert.False(w.Schedule(5));
        Assert.Equal(510, w.DueAt);
        clock.AdvanceTo(509);
        Assert.False(w.Due);
        Assert.False(w.TakeDue());
        clock.Advance(1);
        Assert.True(w.TakeDue());
        Assert.True(w.Running);
        Assert.False(w.Pending);
        Assert.True(w.Schedule(500)); // the function may re-queue itself while running
        w.EndRun();
        Assert.False(w.Running);
        Assert.Equal(1010, w.DueAt);
    }

    [Fact]
    public void Cancel_sync_takes_a_pending_item_waits_for_a_running_one_and_locks_out_requeueing_meanwhile()
    {
        var clock = new VirtualClock();
        var w = new DelayedWork("w", clock);
        w.Schedule(0);
        Assert.True(w.TakeDue());
        Assert.True(w.Schedule(500));
        Assert.True(w.StartCancel());      // the pending re-queue is taken away
        Assert.False(w.Pending);
        Assert.False(w.FinishCancel());    // the function is still running
        Assert.False(w.Schedule(500));     // queueing fails while the canceller holds the item
        w.EndRun();
        Assert.True(w.FinishCancel());
        Assert.True(w.Schedule(1));        // afterwards the item works again
    }

    [Fact]
    public void Work_on_a_frozen_freezable_workqueue_does_not_start_and_a_plain_workqueue_does_not_freeze()
    {
        var clock = new VirtualClock();
        var freezable = new Workqueue("events_freezable", freezable: true);
        var plain = new Workqueue("events", freezable: false);
        var a = new DelayedWork("a", clock, freezable);
        var b = new DelayedWork("b", clock, plain);
        freezable.Freeze();
        plain.Freeze();
        Assert.True(freezable.Frozen);
        Assert.False(plain.Frozen);
        a.Schedule(0);
        b.Schedule(0);
        Assert.False(a.TakeDue());
        Assert.True(b.TakeDue());
        freezable.Thaw();
        Assert.True(a.TakeDue());
    }

    [Fact]
    public void Without_a_clock_the_work_is_v1s_undelayed_pending_bit()
    {
        var w = new DelayedWork("aerator_cycle");
        int queued = 0;
        w.Queued += () => queued++;
        Assert.True(w.Schedule());
        Assert.False(w.Schedule());
        Assert.Equal(1, queued);
        Assert.True(w.Due);
        Assert.True(w.TakePending());
        Assert.False(w.TakePending());
    }
}

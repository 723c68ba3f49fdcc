using Specs.Reporting;
using System.Text;
using BuddyModel;
using Kernel;
using Microsoft.Coyote.Specifications;
using Reporting;
using Reporting.Virtio;
using Specs.Buddy;
using SchedulingPoint = Microsoft.Coyote.Runtime.SchedulingPoint;
using Monitor = System.Threading.Monitor;

using Concurrency.Harness.Schedules;

namespace Concurrency.Harness;

/// <summary>
/// Runs the real code of the merged design (Reporting.ReportingSystem: zone, page reporting
/// core, ReportingWorker, virtio-balloon driver and host) as concurrent tasks under Coyote: the
/// worker (ReportingWorker.Step whenever it can progress; the 2 s timer fires when the worker
/// would otherwise wait for it), the host (ReportingHost.Step), free/alloc tasks that each hold
/// zone->lock for one operation (a free runs page_reporting_notify_free inside it), and, per
/// scenario, page_reporting_unregister and freeze/restore. Every wait is an await on a
/// TaskCompletionSource that another task completes when it changed something (no spinning).
///
/// Checks, all made with zone->lock held: every task that takes zone->lock checks right after
/// taking it and right before releasing it; the worker (whose holds are inside the model) is
/// checked after each of its steps with zone->lock taken again, so every state the worker
/// leaves at a release is checked by whoever takes the lock next. What is checked:
/// - the buddy invariants (Specs.Buddy.BuddyInvariants.CheckAll);
/// - isolated blocks: while page_reporting_process is not running no block is isolated; while
///   it is in report(), the isolated blocks are exactly the report's until report() returns; and
///   after the step in which report() returned, none of the report's blocks is still isolated
///   (the drain put it back);
/// - PG_reported only on a block the host acknowledged since the block's last free or
///   allocation (a ledger of acknowledged (pfn, order), cleared by every free and allocation
///   that overlaps it);
/// - after page_reporting_unregister returned, prdev->work is neither queued nor running and
///   the device is not used again (the driver frees prdev with the device);
/// - a KernelOops from the model (use of a deleted virtqueue) is a bug, reported with its message;
/// - report() (Start and its wait) is never called with zone->lock held (Monitor.IsEntered in
///   the device wrapper);
/// - with CheckNoLostRequest: after everything settled, a request made after a pass had begun
///   led to another pass (the state machine loses no request);
/// - every task waiting with nothing left that could wake it is a deadlock, reported with what
///   each task waits for and the blocks that stay isolated.
/// </summary>
public sealed class ConcurrentReporting
{
    private readonly ReportingScenarioSpec _spec;
    private readonly object _signal = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _version;
    private int _live;
    private int _waiting;
    private readonly Dictionary<string, string> _waitingFor = new(StringComparer.Ordinal);
    private int _othersLeft;
    private int _stop;
    private string? _failure;
    private int _workerExited;
    private readonly List<(int Pfn, int Order)> _prepared = new();
    private readonly HashSet<(int Pfn, int Order)> _acked = new();
    private int _lastRequestAt = -1;
    private string? _lastRequest;

    public ConcurrentReporting(ReportingScenarioSpec spec)
    {
        _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        System = ReportingSystem.Create(spec.Version, ReportingScenarios.Zone, new ReportingSetup
        {
            DriverOrder = ReportingScenarios.DriverOrder,
            Host = spec.Host ?? new HostOptions(),
        }, spec.PlainIdleStore ? new ReportingParts { Name = "plain IDLE store", MakeWorker = r => new PlainIdleStoreWorker(r) } : null);
        Worker = System.Worker;
        Device = new WatchedDevice(this, System.Driver);
    }

    /// <summary>The system whose pieces the tasks run.</summary>
    public ReportingSystem System { get; }

    /// <summary>The worker the tasks run (System.Worker: the released one, or the seeded plain-store bug).</summary>
    public ReportingWorker Worker { get; }

    /// <summary>prdev->report as registered: forwards to the driver and watches every call.</summary>
    public WatchedDevice Device { get; }

    /// <summary>pr_dev_info as registered.</summary>
    public PageReportingDevInfo? DevInfo { get; private set; }

    /// <summary>The first failure seen (also asserted under Coyote).</summary>
    public string? Failure => _books.Read(ref _failure);

    /// <summary>The harness's own bookkeeping runs without scheduling points (see Bookkeeping).</summary>
    private readonly Bookkeeping _books = new(underCoyote: true);

    /// <summary>Whether page_reporting_unregister was called and returned.</summary>
    public bool UnregisterStarted { get; private set; }

    /// <summary>Whether page_reporting_unregister returned.</summary>
    public bool UnregisterReturned { get; private set; }

    /// <summary>Whether synchronize_rcu had to wait for a reader (a notifier inside rcu_read_lock) at least once.</summary>
    public bool GracePeriodWaitedForANotifier { get; private set; }

    /// <summary>Whether a free requested reporting while the virtqueues were deleted (between freeze and restore).</summary>
    public bool FreeWhileFrozen { get; private set; }

    /// <summary>Passes of page_reporting_process that began (counted when their first step returns).</summary>
    public int PassesStarted { get; private set; }

    /// <summary>Checks made (for the report).</summary>
    public int Checks { get; private set; }

    private Zone Zone => System.Zone;

    private bool Stopped => _books.Read(ref _stop) != 0;

    private bool OthersDone
    {
        get
        {
            using (_books.Quiet())
            lock (_signal)
                return _othersLeft == 0;
        }
    }

    /// <summary>The whole scenario: preparation, the tasks, then the final checks.</summary>
    public async Task Run()
    {
        Prepare();
        var tasks = new List<(string Name, Func<Task> Body)>();
        int i = 0;
        foreach (var ops in _spec.OpTasks)
        {
            string name = $"free/alloc task {++i}";
            tasks.Add((name, () => OpsLoop(name, ops)));
        }
        if (_spec.Unregister != UnregisterKind.None)
            tasks.Add(("unregister", UnregisterTask));
        if (_spec.FreezeRestore)
            tasks.Add(("freeze/restore", FreezeRestoreTask));
        using (_books.Quiet())
        lock (_signal)
        {
            _othersLeft = tasks.Count;
            _live = tasks.Count + 2;
        }
        var running = new List<Task>();
        foreach (var (name, body) in tasks)
            running.Add(Task.Run(async () => { Lane.Enter(name); try { await body(); } finally { Exit(name, other: true); } }));
        running.Add(Task.Run(async () => { Lane.Enter("worker"); try { await WorkerLoop(); } finally { using (_books.Quiet()) Volatile.Write(ref _workerExited, 1); Exit("worker", other: false); } }));
        running.Add(Task.Run(async () => { Lane.Enter("host"); try { await HostLoop(); } finally { Exit("host", other: false); } }));
        // Awaited one by one: on net10 Task.WhenAll can bind to a ReadOnlySpan overload that
        // Coyote does not intercept (STACK.md).
        foreach (var t in running)
            await t;
        Final();
    }

    // ---- preparation (one task: no interleaving) ----

    private void Prepare()
    {
        int rc = System.Driver.Probe(System.Reporting, System.DriverOrder, Device);
        if (rc != 0)
            Fail($"probe returned {rc}");
        DevInfo = System.Driver.DevInfo;
        if (System.Reporting.ReportingOrder != ReportingScenarios.DriverOrder)
            Fail($"page_reporting_order is {System.Reporting.ReportingOrder}, the scenarios need {ReportingScenarios.DriverOrder}");
        lock (Zone.Lock)
        {
            Check("before the preparation");
            foreach (int order in _spec.PrepareAllocs)
            {
                int pfn = Zone.Allocate(order, MigrateType.Movable);
                if (pfn < 0)
                    Fail($"preparation: no order-{order} block");
                Forget(pfn, order);
                _prepared.Add((pfn, order));
            }
            Check("after the preparation's allocations");
        }
        if (_spec.SettleFirst)
        {
            for (int round = 0; ; round++)
            {
                if (round > 10_000)
                    Fail("preparation: the first pass did not settle");
                if (HostStep())
                    continue;
                if (Worker.State == ReportingWorkerState.Idle)
                {
                    if (DevInfo!.Work is not { Pending: true } w)
                        break;
                    System.Clock.AdvanceTo(w.DueAt);
                }
                var step = WorkerStep();
                lock (Zone.Lock)
                    Check("settling the first pass", afterWorkerStep: true);
                if (step == ReportingStep.NoProgress && !System.Host.HasWork)
                    break;
            }
        }
    }

    // ---- the tasks ----

    /// <summary>A task that allocates and frees, one operation per hold of zone->lock.</summary>
    private async Task OpsLoop(string name, IReadOnlyList<ReportingOp> ops)
    {
        var mine = new Stack<(int Pfn, int Order)>();
        foreach (var op in ops)
        {
            if (Stopped)
                return;
            lock (Zone.Lock)
            {
                StoryRecorder.Lock();
                StoryRecorder.Note(op);
                Check($"{name}: before {op}");
                int notified = System.Reporting.Events.Notified;
                string? freed = null;
                switch (op)
                {
                    case FreePrepared f:
                        var (pp, po) = _prepared[f.Index];
                        Zone.Free(pp, po);
                        Forget(pp, po);
                        freed = $"the free of pfn {pp} order {po}";
                        break;
                    case AllocBlock a:
                        int pfn = Zone.Allocate(a.Order, MigrateType.Movable);
                        if (pfn >= 0)
                        {
                            Forget(pfn, a.Order);
                            mine.Push((pfn, a.Order));
                        }
                        break;
                    case FreeLastAllocated:
                        if (mine.TryPop(out var last))
                        {
                            Zone.Free(last.Pfn, last.Order);
                            Forget(last.Pfn, last.Order);
                            freed = $"the free of pfn {last.Pfn} order {last.Order}";
                        }
                        break;
                }
                // __page_reporting_notify ran (static branch on, order screen passed) with a published device: a request.
                if (freed != null && System.Reporting.Events.Notified != notified && System.Driver.Vq is null && _spec.FreezeRestore)
                    FreeWhileFrozen = true;
                if (freed != null && System.Reporting.Events.Notified != notified && System.Reporting.DevInfo != null)
                {
                    _lastRequestAt = PassesStarted;
                    _lastRequest = $"{freed} ({name}) requested reporting after {PassesStarted} pass(es) had begun, worker {Worker.State}, state {DevInfo!.CurrentState}";
                }
                Check($"{name}: after {op}");
                StoryRecorder.Unlock();
            }
            Bump();
            await Task.Yield();
        }
    }

    /// <summary>page_reporting_process on its workqueue: step whenever it can progress; the timer fires when only it is missing.</summary>
    private async Task WorkerLoop()
    {
        int seen = Version();
        while (!Stopped)
        {
            if (Worker.State == ReportingWorkerState.Idle && DevInfo!.Work is { Pending: true } w
                && !(w.Workqueue?.Frozen ?? false) && System.Clock.Jiffies < w.DueAt)
            {
                // The 2 s delayed work's timer fires (the time it takes is not the subject here).
                System.Clock.AdvanceTo(w.DueAt);
            }
            if (Worker.CanStep)
            {
                var step = WorkerStep();
                Bump();
                if (Stopped)
                    break;
                lock (Zone.Lock)
                    Check($"after a worker step ({step})", afterWorkerStep: true);
                seen = Version();
                await Task.Yield();
                continue;
            }
            if (Worker.State == ReportingWorkerState.Crashed)
                break;
            if (OthersDone && Worker.State == ReportingWorkerState.Idle && DevInfo!.Work is not { Pending: true })
                break;
            seen = await WaitForChange(seen, "worker", WorkerWaitsFor());
        }
    }

    /// <summary>One worker step; an oops is a bug, reported with its message.</summary>
    private ReportingStep WorkerStep()
    {
        var before = Worker.State;
        ReportingStep step;
        try
        {
            step = Worker.Step();
        }
        catch (Exception e) when (e.GetType().Namespace?.StartsWith("Microsoft.Coyote", StringComparison.Ordinal) != true)
        {
            Fail($"page_reporting_process threw in state {Worker.State}: {e.GetType().Name}: {e.Message}");
            throw;
        }
        if (before == ReportingWorkerState.Idle && step != ReportingStep.NoProgress)
            PassesStarted++;
        if (step == ReportingStep.Crashed)
            Fail($"KernelOops in page_reporting_process: {Worker.Oops}");
        return step;
    }

    /// <summary>The host: take available buffers; stop when nothing can come any more.</summary>
    private async Task HostLoop()
    {
        int seen = Version();
        while (!Stopped)
        {
            if (!_spec.HostNever && System.Host.HasWork)
            {
                if (HostStep())
                {
                    Bump();
                    seen = Version();
                }
                await Task.Yield();
                continue;
            }
            if (OthersDone && WorkerExited)
                break;
            seen = await WaitForChange(seen, "host", _spec.HostNever ? "the device never takes a buffer" : "no buffer available");
        }
    }

    /// <summary>The host takes one buffer and acknowledges it; the ledger records its blocks as acknowledged.</summary>
    private bool HostStep()
    {
        if (_spec.HostNever)
            return false;
        var outBlocks = Device.Outstanding;
        if (!System.Host.Step())
            return false;
        if (outBlocks != null)
            foreach (var e in outBlocks)
                _acked.Add((e.Pfn, e.Order));
        return true;
    }

    /// <summary>virtballoon_remove's page_reporting_unregister (or the seeded variant without synchronize_rcu).</summary>
    private async Task UnregisterTask()
    {
        int seen = Version();
        if (_spec.UnregisterAfterFirstReport)
        {
            while (Device.Submitted == 0 && !Stopped)
                seen = await WaitForChange(seen, "unregister", "waits for the first report to be submitted");
        }
        var prdev = DevInfo!;
        UnregisterStarted = true;
        var u = System.Reporting.Unregister(prdev); // clears pr_dev_info
        Bump();
        if (_spec.Unregister == UnregisterKind.Mainline)
        {
            while (!u.Step())
            {
                if (Stopped)
                    return;
                if (!u.Cancelling && System.Reporting.Rcu.Readers > 0)
                    GracePeriodWaitedForANotifier = true;
                seen = await WaitForChange(seen, "unregister", u.Cancelling
                    ? "page_reporting_unregister waits in cancel_delayed_work_sync for the running page_reporting_process"
                    : $"page_reporting_unregister waits in synchronize_rcu ({System.Reporting.Rcu.Readers} reader(s))");
            }
        }
        else
        {
            // The seeded bug: no synchronize_rcu between clearing the pointer and cancelling
            // (the model's unregister cleared the pointer; its waits are replaced by the cancel alone).
            var broken = new ReportingUnregister(rcu: null, prdev.Work);
            while (!broken.Step())
            {
                if (Stopped)
                    return;
                seen = await WaitForChange(seen, "unregister", "page_reporting_unregister waits in cancel_delayed_work_sync for the running page_reporting_process");
            }
        }
        UnregisterReturned = true;
        Bump();
        lock (Zone.Lock)
            Check("after page_reporting_unregister returned");
    }

    /// <summary>
    /// Hibernation: freeze_workqueues_begin + virtballoon_freeze (ReportingSystem.Freeze, which
    /// refuses while reporting work runs on a freezable workqueue: the freezer waits for it),
    /// then, once the free/alloc tasks are done, virtballoon_restore and the thaw.
    /// </summary>
    private async Task FreezeRestoreTask()
    {
        int seen = Version();
        while (true)
        {
            if (Stopped)
                return;
            try
            {
                System.Freeze();
                break;
            }
            catch (InvalidOperationException)
            {
                seen = await WaitForChange(seen, "freeze/restore", "freeze_workqueues_busy: waits for the running reporting work");
            }
        }
        Bump();
        await Task.Yield();
        while (!Stopped && OpsLeft() > 0)
            seen = await WaitForChange(seen, "freeze/restore", "frozen: waits for the frees to be done before restoring");
        System.Restore();
        Bump();
    }

    private int _opsDone;

    private int OpsLeft()
    {
        using (_books.Quiet())
        lock (_signal)
            return _spec.OpTasks.Count - _opsDone;
    }

    private bool WorkerExited => _books.Read(ref _workerExited) != 0;

    // ---- the ledger ----

    /// <summary>A free or an allocation of (pfn, order): acknowledgements of anything it overlaps no longer count.</summary>
    private void Forget(int pfn, int order)
    {
        int end = pfn + (1 << order);
        _acked.RemoveWhere(b => b.Pfn < end && pfn < b.Pfn + (1 << b.Order));
    }

    // ---- checks ----

    /// <summary>With zone->lock held: every check, as one observation (no scheduling point inside).</summary>
    private void Check(string where, bool afterWorkerStep = false)
    {
        if (Stopped)
            return;
        if (!NoReportUnderLock.HoldsLock(Zone.Lock))
            throw new InvalidOperationException("Check without zone->lock");
        Checks++;
        SchedulingPoint.Suppress();
        try
        {
            if (Violation(afterWorkerStep) is { } v)
                Fail($"{where}: {v}");
        }
        finally
        {
            SchedulingPoint.Resume();
        }
    }

    private string? Violation(bool afterWorkerStep)
    {
        if (BuddyInvariants.CheckAll(Zone) is { } bv)
            return bv.ToString();

        var held = HeldBlocks();
        var state = Worker.State;
        var inFlight = Worker.InFlight.Select(e => (e.Pfn, e.Order)).ToHashSet();
        switch (state)
        {
            case ReportingWorkerState.Idle:
                if (held.Count > 0)
                    return $"Isolated block not returned violated: expected no block isolated while page_reporting_process is not running, found {Blocks(held)} isolated";
                break;
            case ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover:
                foreach (var b in held)
                    if (!inFlight.Contains(b))
                        return $"Isolated block not returned violated: expected only the blocks of the report in flight isolated, found pfn {b.Pfn} order {b.Order} isolated and not in it ({Blocks(inFlight)})";
                if (Device.Outstanding != null)
                    foreach (var b in inFlight)
                        if (!held.Contains(b))
                            return $"Exclusive location violated: expected pfn {b.Pfn} order {b.Order} to stay isolated while the device has it (report() has not returned), found {Zone.Describe(b.Pfn)}";
                break;
        }
        if (afterWorkerStep && Device.Returned is { } returned)
        {
            foreach (var e in returned)
            {
                var b = (e.Pfn, e.Order);
                if (held.Contains(b) && !inFlight.Contains(b))
                    return $"Isolated block not returned violated: expected the blocks of a report to be back on the free lists once report() returned and the worker went on, found pfn {b.Pfn} order {b.Order} still isolated (worker {state})";
            }
            Device.Returned = null;
        }

        for (int pfn = 0; pfn < Zone.NrPages; pfn++)
        {
            var f = Zone.Flags(pfn);
            if ((f & PageFlags.Reported) != 0 && (f & PageFlags.Buddy) != 0 && !_acked.Contains((pfn, Zone.PageOrder(pfn))))
                return $"Reported means acknowledged violated: expected PG_reported only on a block the device acknowledged since its last free, found it on {Zone.Describe(pfn)}, which the device has not acknowledged as that block since it was last freed or merged (acknowledged: {Blocks(_acked)})";
        }

        // "Running" is the worker being in a pass, not DelayedWork.Running: a worker about to
        // take the item raises that flag for a moment and lowers it again when the item is gone.
        bool inPass = state is not (ReportingWorkerState.Idle or ReportingWorkerState.Crashed);
        if (UnregisterReturned && DevInfo!.Work is { } work && (work.Pending || inPass))
            return $"Device lifetime violated: expected prdev->work neither queued nor running once page_reporting_unregister returned (the driver frees prdev with its device), found it {(inPass ? $"running (worker {state})" : "queued")} (state {DevInfo.CurrentState})";
        return null;
    }

    /// <summary>The isolated (held) blocks of the zone.</summary>
    private HashSet<(int Pfn, int Order)> HeldBlocks()
    {
        var held = new HashSet<(int, int)>();
        for (int pfn = 0; pfn < Zone.NrPages; pfn++)
            if ((Zone.Flags(pfn) & PageFlags.Held) != 0)
                held.Add((pfn, Zone.PageOrder(pfn)));
        return held;
    }

    private static string Blocks(IEnumerable<(int Pfn, int Order)> blocks)
    {
        var list = blocks.OrderBy(b => b.Pfn).Select(b => $"pfn {b.Pfn} order {b.Order}").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    /// <summary>Called by the device wrapper at every call into the device.</summary>
    internal void OnDeviceCall(string what)
    {
        if (Stopped)
            return;
        if (NoReportUnderLock.HoldsLock(Zone.Lock))
            Fail($"Lock discipline violated: {what} called with zone->lock held (page_reporting_cycle must drop it around report())");
        if (UnregisterReturned)
            Fail($"Device lifetime violated: {what} after page_reporting_unregister returned (the driver has freed the device)");
    }

    /// <summary>After every task: what must hold once everything settled.</summary>
    private void Final()
    {
        if (Stopped)
            return;
        lock (Zone.Lock)
        {
            Check("at the end", afterWorkerStep: true);
            if (_spec.CheckNoLostRequest && _lastRequestAt >= 0 && PassesStarted <= _lastRequestAt)
                Fail($"Lost request: expected a request made during a pass to lead to another pass, found {_lastRequest}, and after everything settled no pass began after it ({PassesStarted} pass(es), state {DevInfo!.CurrentState}, work {(DevInfo.Work!.Pending ? "pending" : "not pending")})");
        }
    }

    // ---- signals ----

    private int Version()
    {
        using (_books.Quiet())
        lock (_signal)
            return _version;
    }

    /// <summary>Something changed that a waiting task may care about: complete the current change signal.</summary>
    private void Bump()
    {
        using var quiet = _books.Quiet();
        TaskCompletionSource old;
        lock (_signal)
        {
            _version++;
            _waiting = 0;
            _waitingFor.Clear();
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    /// <summary>A task ends: one fewer live task (and, for the free/alloc, unregister and PM tasks, one fewer "other").</summary>
    private void Exit(string name, bool other)
    {
        // One step with the change signal: a task that begins to wait after this sees the new
        // version (otherwise it could count itself the last live waiter in between and take
        // the exit for a deadlock).
        using var quiet = _books.Quiet();
        TaskCompletionSource old;
        lock (_signal)
        {
            _live--;
            if (other)
                _othersLeft--;
            if (name.StartsWith("free/alloc", StringComparison.Ordinal))
                _opsDone++;
            _version++;
            _waiting = 0;
            _waitingFor.Clear();
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    /// <summary>
    /// Wait until another task changed something since version seen (or the run stops); returns
    /// the new version. When this task is the last live one to wait with nothing changed since
    /// the others began waiting, nothing can ever wake any of them: a deadlock, reported with what
    /// every task waits for and the blocks that stay isolated.
    /// </summary>
    private async Task<int> WaitForChange(int seen, string who, string why)
    {
        while (true)
        {
            Task changed;
            bool deadlock;
            using (_books.Quiet())
            lock (_signal)
            {
                if (_version != seen || Stopped)
                    return _version;
                _waiting++;
                _waitingFor[who] = why;
                deadlock = _waiting >= _live;
                changed = _changed.Task;
            }
            if (deadlock)
            {
                Fail(DeadlockReport());
                return seen;
            }
            await changed;
        }
    }

    private string WorkerWaitsFor() => Worker.State switch
    {
        ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover =>
            $"page_reporting_process waits in report() for the device to use the buffer ({Worker.InFlight.Count} blocks out)",
        ReportingWorkerState.Idle when DevInfo!.Work is { Pending: true, Workqueue.Frozen: true } => "the work is pending on a frozen workqueue",
        ReportingWorkerState.Idle => "idle, no work pending",
        _ => $"{Worker.State}",
    };

    private string DeadlockReport()
    {
        var sb = new StringBuilder("Deadlock (liveness): every task waits and nothing can wake any of them: ");
        lock (_signal)
            sb.Append(string.Join("; ", _waitingFor.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")));
        HashSet<(int, int)> held;
        lock (Zone.Lock)
        {
            SchedulingPoint.Suppress();
            try
            {
                held = HeldBlocks();
            }
            finally
            {
                SchedulingPoint.Resume();
            }
        }
        sb.Append($". {held.Count} block(s) stay isolated from the free lists: {Blocks(held)}");
        sb.Append($". Host: {System.Host.Ranges.Count} range(s) taken, {System.Host.LostNotifications} used-buffer notification(s) lost");
        if (UnregisterStarted && !UnregisterReturned)
            sb.Append("; page_reporting_unregister never returns");
        return sb.ToString();
    }

    private void Fail(string message)
    {
        StoryRecorder.Violation(message);
        using (_books.Quiet())
        {
            Interlocked.CompareExchange(ref _failure, message, null);
            Volatile.Write(ref _stop, 1);
        }
        Bump();
        Specification.Assert(false, "{0}", message); // the message is not a format string
    }

    /// <summary>
    /// prdev->report as the harness registers it: forwards every call to the virtio-balloon
    /// driver and tells the harness first (lock discipline, device lifetime); remembers the
    /// scatterlist out with the device and the one that came back.
    /// </summary>
    public sealed class WatchedDevice(ConcurrentReporting harness, ReportingDriver driver) : IPageReportingDevice
    {
        /// <summary>report() calls that added a buffer.</summary>
        public int Submitted { get; private set; }

        /// <summary>The blocks with the device (report() has not returned), or null.</summary>
        public ScatterEntry[]? Outstanding { get; private set; }

        /// <summary>The blocks of the last report that returned, until the harness checked they were put back.</summary>
        public ScatterEntry[]? Returned { get; internal set; }

        public int Start(IReadOnlyList<ScatterEntry> sg)
        {
            harness.OnDeviceCall("report() (virtballoon_free_page_report)");
            // Recorded before the call: the buffer is visible to the host from the kick on,
            // which is a scheduling point inside the driver.
            Outstanding = sg.ToArray();
            int err = driver.Start(sg);
            if (err == 0)
                Submitted++;
            else
                Outstanding = null;
            return err;
        }

        public bool Completed(out int err)
        {
            harness.OnDeviceCall("report()'s wait for the used buffer");
            bool done = driver.Completed(out err);
            if (done && Outstanding != null)
            {
                Returned = Outstanding;
                Outstanding = null;
            }
            return done;
        }
    }

    /// <summary>
    /// A seeded bug written here, never part of a modelled version: page_reporting_process ends
    /// with a plain atomic_set(state, IDLE) instead of the cmpxchg ACTIVE -> IDLE, so a request a
    /// free made during the pass (REQUESTED, no work scheduled because the state was ACTIVE) is
    /// overwritten and lost.
    /// </summary>
    public sealed class PlainIdleStoreWorker(PageReporting reporting) : ReportingWorker(reporting)
    {
        protected override bool EndPass(PageReportingDevInfo prdev, out int state)
        {
            prdev.State.Set((int)ReportingState.Idle);
            state = (int)ReportingState.Idle;
            return true;
        }
    }
}

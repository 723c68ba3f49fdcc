using Aeration;
using SchedulingPoint = Microsoft.Coyote.Runtime.SchedulingPoint;
using Microsoft.Coyote.Specifications;
using Specs;
using Harness;
using Harness.Operations;

using Concurrency.Harness.Schedules;

namespace Concurrency.Harness;

/// <summary>
/// Runs the real aerator code of one AerationSystem as concurrent tasks: the worker (a loop of
/// AeratorWorker.Step, yielding when it cannot progress), the host (HintingHost.Step), tasks
/// that allocate and free under zone->lock, and shutdown or startup. Every task that takes
/// zone->lock checks every invariant (Specs: buddy + aeration + differential oracle) right after
/// taking it (the state the previous holder left at its release) and right before releasing it;
/// the worker checks after each step, which ends with zone->lock released. So every release of
/// zone->lock is followed by a check before anything else can change the zone.
///
/// Shutdown and startup run without zone->lock (as in the kernel) and drive the aerator
/// directly, not through AerationSystem.Apply: the system's bookkeeping (oracle, batch and hint
/// tracking) is only touched under zone->lock, so the tasks never race on the harness itself.
///
/// Under Coyote every lock, Interlocked and Volatile access in the product code is a scheduling
/// point. The same class runs on real threads for the stress comparison (UnderCoyote false):
/// then a failure is recorded and the tasks stop instead of asserting.
/// </summary>
public sealed class ConcurrentAeration
{
    private readonly ScenarioSpec _spec;
    private int _done;
    private int _stop;
    private string? _failure;
    private readonly object _signal = new();
    private int _version;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _opsDone;
    private int _workerExited;
    private readonly Bookkeeping _books;

    public ConcurrentAeration(ScenarioSpec spec, bool underCoyote = true)
    {
        _spec = spec;
        UnderCoyote = underCoyote;
        _books = new Bookkeeping(underCoyote);
        // Checked in full: the incremental check reads fewer of the design's fields (some are
        // Volatile reads, scheduling points under Coyote), which would change the schedules.
        System = new AerationSystem(new Scenario(spec.Zone, [], spec.Setup), spec.Design) { IncrementalChecks = false };
        // The placement oracle asks the aerator for its tail (aerator_get_tail reads the zone's
        // ACTIVE bit, a Volatile read): bookkeeping, not kernel code, so no scheduling point.
        foreach (var placement in System.Placements)
            placement.DesignTail = (zone, order, mt) =>
            {
                using (_books.Quiet())
                    return zone.Hinting.GetTail(zone, order, mt);
            };
    }

    public bool UnderCoyote { get; }

    public AerationSystem System { get; }

    /// <summary>The first failure seen (also asserted under Coyote).</summary>
    public string? Failure => _books.Read(ref _failure);

    /// <summary>Whether shutdown returned.</summary>
    public bool ShutdownReturned { get; private set; }

    /// <summary>Invariant checks made (for the report).</summary>
    public int Checks { get; private set; }

    private bool Stopped => _books.Read(ref _stop) != 0;

    /// <summary>The whole scenario: preparation, then the tasks, then the final checks.</summary>
    public async Task Run()
    {
        Sequential();
        var tasks = new List<Task>();
        for (int i = 0; i < _spec.OpTasks.Count; i++)
        {
            var (ops, lane) = (_spec.OpTasks[i], $"free path {i + 1}");
            tasks.Add(Task.Run(() => OpsLoop(lane, ops)));
        }
        if (_spec.ConcurrentShutdown)
        {
            var shutdown = Task.Run(ShutdownLoop);
            if (_spec.HostNever && UnderCoyote)
                Specification.IsEventuallyCompletedSuccessfully(shutdown);
            tasks.Add(shutdown);
        }
        if (_spec.ConcurrentStartup)
            tasks.Add(Task.Run(StartupTask));
        var worker = Task.Run(WorkerLoop);
        var host = Task.Run(HostLoop);
        // Awaited one by one: on net10 Task.WhenAll can bind to a ReadOnlySpan overload that
        // Coyote does not intercept (STACK.md).
        foreach (var t in tasks)
            await t;
        using (_books.Quiet())
            Volatile.Write(ref _done, 1);
        Bump();
        await worker;
        await host;
        Final();
    }

    private void Sequential()
    {
        lock (System.Zone.Lock)
        {
            foreach (var op in _spec.Preparation)
                Apply(op);
            if (_spec.StartupFirst)
                Apply(new StartAerator());
            Check("after preparation");
        }
    }

    private void Apply(Operation op)
    {
        var outcome = System.Apply(op) ?? throw new InvalidOperationException($"{op} not supported");
        if (outcome.Violation is { } v)
            Fail($"{op}: {v}");
    }

    /// <summary>A task that allocates and frees, one operation per hold of zone->lock.</summary>
    private async Task OpsLoop(string lane, IReadOnlyList<Operation> ops)
    {
        Lane.Enter(lane);
        foreach (var op in ops)
        {
            if (Stopped)
                return;
            lock (System.Zone.Lock)
            {
                StoryRecorder.Lock();
                Check($"before {op}");
                StoryRecorder.Note(op);
                Apply(op);
                Check($"after {op}");
                StoryRecorder.Unlock();
            }
            using (_books.Quiet())
                Interlocked.Increment(ref _opsDone);
            Bump();
            await Task.Yield();
        }
    }

    /// <summary>aerator_cycle on the workqueue: run the work whenever it can progress, otherwise wait for a change.</summary>
    private async Task WorkerLoop()
    {
        Lane.Enter("worker");
        var w = System.Worker;
        int seen = Version();
        while (!Stopped)
        {
            if (w.State == WorkerState.Crashed)
                break;
            if (w.CanStep)
            {
                try
                {
                    w.Step();
                }
                catch (Exception e) when (e.GetType().Namespace?.StartsWith("Microsoft.Coyote", StringComparison.Ordinal) != true)
                {
                    // The kernel would oops with zone->lock held; report it instead of deadlocking.
                    Fail($"the worker threw in state {w.State}: {e.GetType().Name}: {e.Message}");
                    return;
                }
                // Wake the waiting tasks first (shutdown's msleep loop must be able to see a
                // refcnt of 0 while a free path is inside zone->lock), then check.
                Bump();
                lock (System.Zone.Lock)
                    Check("after a worker step");
                seen = Version();
                await Task.Yield();
                continue;
            }
            if (Done && w.State == WorkerState.Idle && !System.Aerator.Work.Pending)
                break;
            seen = await WaitForChange(seen);
        }
        using (_books.Quiet())
            Volatile.Write(ref _workerExited, 1);
        Bump();
    }

    /// <summary>The host: process available buffers; stop when nothing can come any more.</summary>
    private async Task HostLoop()
    {
        Lane.Enter("host");
        int seen = Version();
        while (!Stopped)
        {
            if (System.Host.HasWork)
            {
                // A late device may take several polls before it completes: its own clock runs.
                if (System.Host.Step())
                {
                    Bump();
                    seen = Version();
                }
                await Task.Yield();
                continue;
            }
            // Only the worker knows when it is done: between taking its pending work and
            // entering its pass it is neither Idle-with-work-pending nor Running.
            if (Done && WorkerExited)
                break;
            seen = await WaitForChange(seen);
        }
    }

    /// <summary>
    /// aerator_shutdown(): static key off, then the msleep loop. Model departure: a wake-up of the
    /// msleep(20) loop happens when another task changed something (a timed sleep that wakes to
    /// an unchanged world only re-reads the same refcnt). So a device that never completes leaves
    /// every task waiting, which Coyote reports (deadlock / liveness monitor) instead of hanging.
    /// </summary>
    private async Task ShutdownLoop()
    {
        Lane.Enter("shutdown");
        int seen = Version();
        if (_spec.ShutdownAfterOpsMax > 0)
        {
            // The device goes away at an arbitrary point of the free stream: after k completed
            // free/alloc operations, k chosen by Coyote (controlled nondeterminism, so every k
            // is explored and replayed), or at random on real threads.
            int k = UnderCoyote
                ? Microsoft.Coyote.Random.Generator.Create().NextInteger(_spec.ShutdownAfterOpsMax + 1)
                : global::System.Random.Shared.Next(_spec.ShutdownAfterOpsMax + 1);
            if (StoryRecorder.On)
                StoryRecorder.Note($"the device goes away after {k} free/alloc operation(s)");
            while (OpsDone < k && !Done && !Stopped)
                seen = await WaitForChange(seen);
        }
        if (!System.Shutdown.Begin())
            return;
        Bump();
        while (!System.Shutdown.Step())
        {
            if (Stopped)
                return;
            if (_spec.ShutdownSleepBound > 0 && System.Shutdown.Sleeps > _spec.ShutdownSleepBound)
            {
                Fail($"Liveness: aerator_shutdown still sleeping after {System.Shutdown.Sleeps} wake-ups (refcnt {System.Device.Refcnt.Read()}, worker {System.Worker.State})");
                return;
            }
            seen = await WaitForChange(seen);
        }
        ShutdownReturned = true;
        Bump();
        await Task.Yield();
    }

    /// <summary>virtballoon_probe(): aerator_startup concurrently with the frees.</summary>
    private Task StartupTask()
    {
        Lane.Enter("startup");
        int rc = System.Aerator.Startup(System.Device);
        if (rc != 0)
            Fail($"aerator_startup returned {rc}");
        Bump();
        return Task.CompletedTask;
    }

    private bool Done => _books.Read(ref _done) != 0;

    private bool WorkerExited => _books.Read(ref _workerExited) != 0;

    private int OpsDone => _books.Read(ref _opsDone);

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
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    /// <summary>
    /// Wait until another task changed something since version seen (or the run stops); returns
    /// the new version. The wait is an await on a TaskCompletionSource, which Coyote controls:
    /// a task that cannot progress is disabled instead of spinning, and a world where nothing
    /// can ever change is reported as a deadlock. (No Monitor.Wait: a blocking wait inside the
    /// harness would hold a thread that Coyote's scheduler needs.)
    /// </summary>
    private async Task<int> WaitForChange(int seen)
    {
        while (true)
        {
            Task changed;
            using (_books.Quiet())
            {
                lock (_signal)
                {
                    if (_version != seen || Stopped)
                        return _version;
                    changed = _changed.Task;
                }
            }
            await changed;
        }
    }

    /// <summary>Under zone->lock: bring the system's bookkeeping up to date, then check every invariant.</summary>
    private void Check(string where)
    {
        if (Stopped)
            return;
        Checks++;
        if (!UnderCoyote)
        {
            // On real threads the check cannot be a snapshot (the worker changes refcnt and its
            // state outside zone->lock while we read them), so the stress run checks only the
            // oops log: Device lifetime, the invariant the shutdown race breaks. It still brings
            // the oracle's picture of the batch up to date (the worker fills and drains only under
            // zone->lock, which the caller holds), so that the next operation's oracle check is
            // not a false alarm.
            System.RecordHostAndWorkerProgress();
            if (new Specs.Aeration.DeviceLifetime().Check(System) is { } dl)
                Fail($"{where}: {dl}");
            return;
        }
        // The check observes one state: no other task may run in the middle of it. (Invariants
        // such as Refcount accounting relate refcnt, which the worker changes outside zone->lock,
        // to the REQUESTED bits and the worker's state; a check interleaved with the worker
        // would compare values from two different moments.)
        SchedulingPoint.Suppress();
        try
        {
            // Record the hints the host applied and the blocks that entered or left the batch.
            var v = System.RecordHostAndWorkerProgress() ?? System.CheckInvariants();
            if (v != null)
                Fail($"{where}: {v}");
        }
        finally
        {
            SchedulingPoint.Resume();
        }
    }

    /// <summary>After every task: the system settles (host, worker, shutdown) and what must hold then.</summary>
    private void Final()
    {
        if (Stopped)
            return;
        lock (System.Zone.Lock)
        {
            Check("at the end");
            if (ShutdownReturned)
            {
                int refcnt = System.Device.Refcnt.Read();
                int batch;
                lock (System.Device.Batch)
                    batch = System.Device.Batch.Count;
                if (System.Aerator.DevInfo != null || refcnt != 0 || batch != 0)
                    Fail($"Refcount accounting violated: expected refcnt 0, an empty batch and a_dev_info NULL once aerator_shutdown returned, found refcnt {refcnt}, {batch} blocks in the batch, device {(System.Aerator.DevInfo is null ? "unpublished" : "still published")}");
            }
        }
        if (_spec.CheckProgress && !ShutdownReturned)
        {
            var log = new List<string>();
            lock (System.Zone.Lock)
            {
                if (System.Finish(log) is { } v)
                    Fail($"at the end: {v}");
            }
        }
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
        if (UnderCoyote)
            Specification.Assert(false, message);
    }
}

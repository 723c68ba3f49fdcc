using Aeration.Virtio;
using BuddyModel;

namespace Simulation;

/// <summary>
/// A hinting design as the simulation runs it: it builds the guest's zones (of its allocator
/// era) and the guest memory at boot, keeps its own clock, says when it next has something to
/// do, and runs until nothing can make progress, handing over every buffer its host took.
/// </summary>
internal abstract class SimulatedDesign
{
    /// <summary>The design's name (as `simulate --design` takes it).</summary>
    public abstract string Name { get; }

    /// <summary>The era of the per-cpu lists in front of the zones.</summary>
    public abstract PcpEra PcpEra { get; }

    /// <summary>Whether min_free_kbytes is clamped at 65536 KiB (kernels before 5.7).</summary>
    public abstract bool Before5_7 { get; }

    /// <summary>Build the zones, the design and its device, and start it (probe, register, startup).</summary>
    public abstract void Boot(IReadOnlyList<ZoneConfig> zones);

    /// <summary>The zones, lowest first (after Boot).</summary>
    public abstract IReadOnlyList<Zone> Zones { get; }

    /// <summary>Guest memory as the host sees it (after Boot).</summary>
    public abstract GuestMemory Memory { get; }

    /// <summary>Jiffies now.</summary>
    public abstract long Now { get; }

    /// <summary>Let time pass to jiffies.</summary>
    public abstract void AdvanceTo(long jiffies);

    /// <summary>The jiffy at which pending work falls due, when some is pending (it may be now or past).</summary>
    public abstract long? NextEvent();

    /// <summary>
    /// Run the worker and the host until neither can make progress now; report is called with
    /// each buffer the host took (pfn, pages, whether discarded). False when they did not go quiet.
    /// </summary>
    public bool Settle(Action<IReadOnlyList<(int Pfn, int NrPages, bool Discarded)>> report)
    {
        for (int guard = 0; guard < SettleLimit; guard++)
        {
            bool worker = TryStepWorker();
            bool host = TryStepHost(report);
            if (!worker && !host)
            {
                Quiet();
                return true;
            }
        }
        return false;
    }

    /// <summary>One step of the design's worker if it can make progress now; whether it stepped.</summary>
    protected abstract bool TryStepWorker();

    /// <summary>One step of the host if a buffer waits, handing report what it took; whether it stepped.</summary>
    protected abstract bool TryStepHost(Action<IReadOnlyList<(int Pfn, int NrPages, bool Discarded)>> report);

    /// <summary>Called once the design went quiet (v1 notes when pending work began waiting).</summary>
    protected virtual void Quiet()
    {
    }

    /// <summary>Steps Settle allows itself before it calls the design runaway.</summary>
    private const int SettleLimit = 10_000_000;
}

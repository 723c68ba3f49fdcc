using Aeration;
using Aeration.Virtio;
using Specs.Guest;

namespace Specs.Aeration;

/// <summary>
/// What the v1 invariants look at: the guest, plus the aerator with its worker, device and
/// host, and the ledger of what the host was told. A harness system implements it.
/// </summary>
public interface IAerationSubject : IGuest
{
    /// <summary>The aerator (its zones, boundaries, flags, device pointer, work).</summary>
    Aerator Aerator { get; }

    /// <summary>The aeration worker.</summary>
    AeratorWorker Worker { get; }

    /// <summary>virtio_balloon's embedded a_dev_info (refcnt, batch).</summary>
    AeratorDevInfo Device { get; }

    /// <summary>The host's side of the hinting queue.</summary>
    HintingHost Host { get; }

    /// <summary>Whether a shutdown has returned since the last startup.</summary>
    bool ShutDown { get; }

    /// <summary>Whether every frame of the block was hinted to the host after the guest last freed it.</summary>
    bool HintedSinceLastFree(int pfn, int order);
}

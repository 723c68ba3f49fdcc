using Aeration;
using Aeration.Fixes;
using Aeration.Virtio;
using BuddyModel;
using Harness;

namespace Properties.Aeration;

// Deliberately broken aeration designs: each is the fixed v1 design with one part broken the
// way a patch author could plausibly break it. No invariant knows about any of them.

/// <summary>A "tail" insertion that ignores the boundary: merge-likely frees land below the aerated run.</summary>
public sealed class TailIgnoresBoundary(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    public override int GetTail(Zone zone, int order, MigrateType mt) => zone.ListHead(order, mt);
}

/// <summary>The boundary is not moved when the block it points at leaves its list.</summary>
public sealed class BoundaryNotFixedOnDelete(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    protected override void DelFromBoundary(Zone zone, int pfn, int order, MigrateType mt) { }
}

/// <summary>A block that merged on its way back from the device keeps the aerated mark.</summary>
public sealed class MergedBlockKeepsMark(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    public override void FreeOnePageDone(Zone zone, int pfn, int order, MigrateType mt, FreeFlags flags, bool merged) =>
        base.FreeOnePageDone(zone, pfn, order, mt, flags, merged: false);
}

/// <summary>aerator_shutdown() that does not wait for the refcount to drain.</summary>
public sealed class ShutdownWithoutWaiting(global::Aeration.Aerator aerator) : global::Aeration.AeratorShutdown(aerator)
{
    protected override bool RefcountDrained(AeratorDevInfo dev) => true;
}

/// <summary>A host that returns the buffer first and drops the hinted ranges at its next step.</summary>
public sealed class HostDropsAfterAck(Virtqueue vq, GuestMemory memory, BalloonFeatures features) : HintingHost(vq, memory, features)
{
    private List<AppliedHint> _deferred = new();

    public override bool HasWork => _deferred.Count > 0 || base.HasWork;

    /// <summary>The released host's state, and the hints it acknowledged and has not applied yet.</summary>
    public override void WriteCanonicalState(BuddyModel.ICanonicalStateSink sink)
    {
        base.WriteCanonicalState(sink);
        sink.Add(_deferred.Count);
        foreach (var h in _deferred)
            sink.Add(((long)h.Pfn << 8) | (uint)h.Order);
    }

    public override bool Step()
    {
        bool did = false;
        if (_deferred.Count > 0)
        {
            foreach (var h in _deferred)
                ApplyHint(h);
            _deferred = new();
            did = true;
        }
        var avail = Vq.PopAvail();
        if (avail is null)
            return did;
        _deferred = Decode(avail.Value.Desc);
        Vq.PushUsed(avail.Value.Head, 0); // acknowledged before anything was dropped
        return true;
    }
}

/// <summary>
/// clear_page_aerated() that leaves nr_free_aerated alone outside a pass: the count is only
/// fixed up on the boundary path, so an aerated block allocated while the zone is not ACTIVE
/// stays counted and notify's raw = nr_free - nr_free_aerated undercounts.
/// </summary>
public sealed class ClearAeratedCountsOnlyWhenActive(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    public override void DelFromFreeList(Zone zone, int pfn, int order, MigrateType mt)
    {
        if ((zone.Flags(pfn) & PageFlags.Aerated) != 0 && !Of(zone).Flags.Test(ZoneFlag.AerationActive))
        {
            zone.ClearPageFlag(pfn, PageFlags.Aerated); // the nr_free_aerated[order]-- that was left out
            return;
        }
        base.DelFromFreeList(zone, pfn, order, mt);
    }
}

/// <summary>aerator_shutdown() that clears a_dev_info right after the static key, before it waits for the refcount: a pass still running finds it gone.</summary>
public sealed class ShutdownUnpublishesBeforeWaiting(global::Aeration.Aerator aerator) : global::Aeration.AeratorShutdown(aerator)
{
    private readonly global::Aeration.Aerator _aerator = aerator;

    protected override void DisableNotify()
    {
        base.DisableNotify();
        _aerator.Unpublish(); // moved up from after the refcount loop
    }
}

/// <summary>page_to_hints_pa_order() that puts the block's size in pages (1 &lt;&lt; order) where its order belongs.</summary>
public sealed class DriverHintsPageCount(Virtqueue vq, BalloonFeatures negotiated, int hintsMax) : HintingDriver(vq, negotiated, hintsMax)
{
    protected override ulong Hint(BatchEntry e) => Encode(e.Pfn, 1 << e.Order);
}

/// <summary>
/// aerator_notify_free() screens out low orders by pageblock_order where v1 says
/// AERATOR_MIN_ORDER: the same thing in v1 as posted (MIN_ORDER is pageblock_order), so only a
/// setup with another MIN_ORDER can tell; there frees of an order between the two never
/// request a pass, and their raw blocks pile up.
/// </summary>
public sealed class NotifyScreensByPageblockOrder(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    protected override void NotifyFree(AerationZone az, int order)
    {
        if (order >= az.Zone.PageblockOrder)
            base.NotifyFree(az, order);
    }
}

/// <summary>The designs built from the broken parts, by name.</summary>
public static class BrokenAerators
{
    public static AerationDesign Design(string name) => name switch
    {
        nameof(TailIgnoresBoundary) => AerationDesign.V1Fixed with { Name = name, MakeAerator = (z, c) => new TailIgnoresBoundary(z, c) },
        nameof(BoundaryNotFixedOnDelete) => AerationDesign.V1Fixed with { Name = name, MakeAerator = (z, c) => new BoundaryNotFixedOnDelete(z, c) },
        nameof(MergedBlockKeepsMark) => AerationDesign.V1Fixed with { Name = name, MakeAerator = (z, c) => new MergedBlockKeepsMark(z, c) },
        nameof(ShutdownWithoutWaiting) => AerationDesign.V1Fixed with { Name = name, MakeShutdown = a => new ShutdownWithoutWaiting(a) },
        nameof(HostDropsAfterAck) => AerationDesign.V1Fixed with { Name = name, MakeHost = (q, m, f) => new HostDropsAfterAck(q, m, f) },
        nameof(ClearAeratedCountsOnlyWhenActive) => AerationDesign.V1Fixed with { Name = name, MakeAerator = (z, c) => new ClearAeratedCountsOnlyWhenActive(z, c) },
        nameof(ShutdownUnpublishesBeforeWaiting) => AerationDesign.V1Fixed with { Name = name, MakeShutdown = a => new ShutdownUnpublishesBeforeWaiting(a) },
        nameof(DriverHintsPageCount) => AerationDesign.V1Fixed with { Name = name, MakeDriver = (q, f, n) => new DriverHintsPageCount(q, f, n) },
        nameof(NotifyScreensByPageblockOrder) => AerationDesign.V1Fixed with { Name = name, MakeAerator = (z, c) => new NotifyScreensByPageblockOrder(z, c) },
        "PoisoningWithoutPagePoison" => AerationDesign.V1Fixed with { Name = name },
        _ => throw new ArgumentException($"unknown broken aerator {name}", nameof(name)),
    };
}

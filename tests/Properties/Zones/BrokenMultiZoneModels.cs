using Aeration;
using Aeration.Fixes;
using Aeration.Virtio;
using BuddyModel;
using Reporting.Virtio;

namespace Properties.Zones;

// Deliberately broken models that only a guest of two or more zones can expose. Each is one
// plausible mistake; no invariant knows about any of them.

/// <summary>
/// v1-fixed whose scrub leaves the zone ACTIVE (as if the boundaries were the zone's own and
/// could be kept for its next pass). With one zone that is harmless: the boundaries stay
/// maintained. With two, the global boundary array is taken over by the next zone while the
/// first still honours it.
/// </summary>
public sealed class KeepsActiveAfterScrub(IReadOnlyList<Zone> zones, AeratorConfig config) : AeratorWithFixes(zones, config)
{
    public override void EndScrub(AerationZone az) { }
}

/// <summary>
/// A v1 hinting host that translates every guest-physical address through its first RAM block
/// (the guest's RAM below 4 GiB, which holds the first zone): frame pfn is taken as frame
/// pfn mod lowPages. With one zone every hinted frame is below that bound; with two, a block of
/// the upper zone (ZONE_NORMAL, above 4 GiB) is dropped over the lower zone's frames.
/// </summary>
public sealed class HostWrapsIntoLowRam(Virtqueue vq, GuestMemory memory, BalloonFeatures features, int lowPages)
    : HintingHost(vq, memory, features)
{
    protected override void Discard(int pfn, int order) => base.Discard(pfn % lowPages, order);
}

/// <summary>The same address translation mistake in the reporting host (virtio_balloon_handle_report).</summary>
public sealed class ReportingHostWrapsIntoLowRam(ReportingDriver driver, GuestMemory memory, HostOptions options, bool usedNotifyFixed, int lowPages)
    : ReportingHost(driver, memory, options, usedNotifyFixed)
{
    protected override void Discard(int pfn, int nrPages, ulong fill) => base.Discard(pfn % lowPages, nrPages, fill);
}

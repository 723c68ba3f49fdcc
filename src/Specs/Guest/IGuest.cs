using Aeration.Virtio;
using BuddyModel;

namespace Specs.Guest;

/// <summary>
/// The guest as every hinting design's invariants see it, whatever the design: its zone, the
/// blocks it holds, the tag it wrote into each frame, what its frames read now (after whatever
/// the host dropped), and its page-poisoning setting. A harness system implements it.
/// </summary>
public interface IGuest
{
    /// <summary>The zone under test (the first of Zones).</summary>
    Zone Zone { get; }

    /// <summary>Every zone of the guest, in ascending pfn order (zone_start_pfn); their frames never overlap.</summary>
    IReadOnlyList<Zone> Zones { get; }

    /// <summary>page_zone(): the zone that spans pfn (the first zone when none does).</summary>
    Zone ZoneOf(int pfn);

    /// <summary>Blocks the guest allocated and has not freed, oldest first.</summary>
    IReadOnlyList<(int Pfn, int Order)> Live { get; }

    /// <summary>The tag the guest wrote into an allocated frame (0 for a frame not allocated).</summary>
    ulong TagOf(int pfn);

    /// <summary>What each frame reads, and whether the host dropped its backing.</summary>
    GuestMemory Memory { get; }

    /// <summary>Whether the guest poisons freed pages (CONFIG_PAGE_POISONING with page_poison=1).</summary>
    bool PagePoisoning { get; }

    /// <summary>The value a poisoned free frame holds.</summary>
    ulong PoisonValue { get; }
}

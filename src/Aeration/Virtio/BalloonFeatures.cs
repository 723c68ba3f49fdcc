namespace Aeration.Virtio;

/// <summary>
/// virtio-balloon feature negotiation as far as hinting goes: VIRTIO_BALLOON_F_HINTING (bit 5 in
/// v1; the merged form calls it F_REPORTING) and VIRTIO_BALLOON_F_PAGE_POISON (bit 4) with the
/// poison_val config field.
/// </summary>
public sealed record BalloonFeatures
{
    /// <summary>VIRTIO_BALLOON_F_HINTING: the device has a hinting virtqueue.</summary>
    public bool Hinting { get; init; } = true;

    /// <summary>VIRTIO_BALLOON_F_PAGE_POISON: the device keeps poison_val in hinted pages.</summary>
    public bool PagePoison { get; init; }

    /// <summary>config.poison_val: the value the device keeps in hinted pages when PAGE_POISON is negotiated.</summary>
    public uint PoisonVal { get; init; }

    /// <summary>
    /// What a page reads as after the host dropped its backing: poison_val replicated into the
    /// 64-bit word with PAGE_POISON, else zero. A method, not a property, so that the record's
    /// printed form stays as it was.
    /// </summary>
    public ulong DropFill() => PagePoison ? ((ulong)PoisonVal << 32) | PoisonVal : 0UL;
}

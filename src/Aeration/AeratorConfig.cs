namespace Aeration;

/// <summary>
/// The aerator's constants. v1 fixes them (AERATOR_MIN_ORDER = pageblock_order, AERATOR_HWM = 32,
/// capacity = VIRTIO_BALLOON_ARRAY_HINTS_MAX = 32); the model makes them settable so that small
/// zones reach every path.
/// </summary>
public sealed record AeratorConfig
{
    /// <summary>AERATOR_MIN_ORDER; null means the zone's pageblock_order, as in v1.</summary>
    public int? MinOrder { get; init; }

    /// <summary>AERATOR_HWM: raw blocks of one order that make notify request a pass.</summary>
    public int Hwm { get; init; } = 32;

    /// <summary>a_dev_info->capacity: blocks per batch (the driver's hints array).</summary>
    public int Capacity { get; init; } = 32;

    /// <summary>Throws ArgumentException naming the field when out of range.</summary>
    public void Validate(int maxOrder)
    {
        if (MinOrder is int m && (m < 0 || m >= maxOrder))
            throw new ArgumentException($"MinOrder {m} must be in 0..{maxOrder - 1}", nameof(MinOrder));
        if (Hwm < 1)
            throw new ArgumentException($"Hwm {Hwm} must be at least 1", nameof(Hwm));
        if (Capacity < 1)
            throw new ArgumentException($"Capacity {Capacity} must be at least 1", nameof(Capacity));
    }
}

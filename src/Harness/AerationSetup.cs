using Specs;
using Aeration;
using Aeration.Virtio;

namespace Harness;

/// <summary>
/// Everything about an aeration scenario besides the zone: the aerator's constants, the
/// negotiated device features, the guest's page poisoning, and the bound on settling steps.
/// Serializable, so that a counterexample file carries it.
/// </summary>
public sealed record AerationSetup
{
    /// <summary>AERATOR_MIN_ORDER / HWM / capacity.</summary>
    public AeratorConfig Aerator { get; init; } = new();

    /// <summary>Features the device and driver agreed on.</summary>
    public BalloonFeatures Features { get; init; } = new();

    /// <summary>CONFIG_PAGE_POISONING with page_poison=1: a freed page is filled with the poison value and checked on allocation.</summary>
    public bool PagePoisoning { get; init; }

    /// <summary>PAGE_POISON (0xaa) repeated over the 64-bit content word.</summary>
    public ulong PoisonValue { get; init; } = 0xaaaa_aaaa_aaaa_aaaaUL;

    /// <summary>
    /// The upstream fix (virtballoon_validate, 5.7): do not hint when pages are poisoned and the
    /// device cannot keep the poison value. Applies only to a design whose driver has the check
    /// (AerationDesign.DriverValidatesPoison: v1-fixed yes, v1 as posted no); false switches it
    /// off there too.
    /// </summary>
    public bool ValidatePoison { get; init; } = true;

    /// <summary>Size of hinting_vq.</summary>
    public int QueueSize { get; init; } = 64;

    /// <summary>
    /// Steps the settling phase may take before non-termination is reported, for a zone of up to
    /// AerationSystem.SettleBoundBlocks blocks of MIN_ORDER; larger zones scale it (AerationSystem.SettleBound).
    /// </summary>
    public int SettleBound { get; init; } = 2000;

    public override string ToString() =>
        $"aerator MIN_ORDER {Aerator.MinOrder?.ToString() ?? "pageblock_order"}, HWM {Aerator.Hwm}, capacity {Aerator.Capacity}"
        + (PagePoisoning ? $", page poisoning on (PAGE_POISON {(Features.PagePoison ? "negotiated" : "not negotiated")}{(ValidatePoison ? "" : ", v1 driver does not check")})" : "");
}

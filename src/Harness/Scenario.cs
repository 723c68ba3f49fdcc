using Specs;
using System.Text;
using BuddyModel;
using Harness.Operations;

namespace Harness;

/// <summary>
/// A model configuration and a list of operations: what a property generates and shrinks.
/// Config is the guest's first (lowest) zone; MoreZones, when set, the zones above it in
/// ascending pfn order (ZoneLayout), e.g. DMA32 then Normal.
/// </summary>
public sealed record Scenario(ZoneConfig Config, IReadOnlyList<Operation> Operations, AerationSetup? Aeration = null, global::Reporting.ReportingSetup? Reporting = null,
    IReadOnlyList<ZoneConfig>? MoreZones = null)
{
    /// <summary>Every zone of the guest, lowest first: Config, then MoreZones.</summary>
    public IReadOnlyList<ZoneConfig> Zones => MoreZones is { Count: > 0 } more ? [Config, .. more] : [Config];

    /// <summary>The operations as a numbered list a person can follow.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"zone of {Config.NrPages} pages, MAX_ORDER {Config.MaxOrder}, pageblock_order {Config.PageblockOrder}");
        if (MoreZones is { Count: > 0 })
            sb.Append($" ({string.Join(", ", Zones.Select(z => $"{z.Name} pfn {z.StartPfn}..{z.EndPfn - 1}"))})");
        if (Aeration is not null)
            sb.Append($"; {Aeration}");
        if (Reporting is not null)
            sb.Append($"; {ReportingSetups.Describe(Reporting)}");
        sb.Append($"; {Operations.Count} operations:");
        for (int i = 0; i < Operations.Count; i++)
            sb.Append($"\n  {i + 1}. {Operations[i]}");
        return sb.ToString();
    }
}

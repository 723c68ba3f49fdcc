using Specs;
using Aeration;
using Aeration.Fixes;
using Aeration.Virtio;
using BuddyModel;

namespace Harness;

/// <summary>
/// Which code plays each part of an aeration system. The default is the v1 design; tests swap
/// in deliberately broken parts (a host that drops after the ack, a shutdown that does not
/// wait) to show that the generic invariants catch them.
/// </summary>
public sealed record AerationDesign(
    string Name,
    Func<ZoneConfig, Zone> MakeZone,
    Func<IReadOnlyList<Zone>, AeratorConfig, Aerator> MakeAerator,
    Func<Virtqueue, GuestMemory, BalloonFeatures, HintingHost> MakeHost,
    Func<Aerator, AeratorShutdown> MakeShutdown,
    bool DriverValidatesPoison)
{
    /// <summary>The virtio-balloon driver's hinting half, given the queue, the features and the hints array's size.</summary>
    public Func<Virtqueue, BalloonFeatures, int, HintingDriver> MakeDriver { get; init; } = (vq, f, hintsMax) => new HintingDriver(vq, f, hintsMax);

    /// <summary>The June 2019 v1 design as posted.</summary>
    public static readonly AerationDesign V1 = new(
        "v1",
        c => new Zone(c),
        (zones, c) => new Aerator(zones, c),
        (vq, mem, f) => new HintingHost(vq, mem, f),
        a => new AeratorShutdown(a),
        DriverValidatesPoison: false);

    /// <summary>v1 with the fixes for the flaws the suite found (Aeration.Fixes).</summary>
    public static readonly AerationDesign V1Fixed = V1 with
    {
        Name = "v1-fixed",
        MakeAerator = (zones, c) => new AeratorWithFixes(zones, c),
        DriverValidatesPoison = true,
    };

    /// <summary>v1-fixed with some fixes switched off: shows which fix a finding needs.</summary>
    public static AerationDesign V1FixedWithout(V1Fixes off) => V1Fixed with
    {
        Name = $"v1-fixed without {off}",
        MakeAerator = (zones, c) => new AeratorWithFixes(zones, c, V1Fixes.All & ~off),
    };

    /// <summary>The designs by name, as counterexample files and the CLI name them.</summary>
    public static AerationDesign ByName(string name) => name switch
    {
        "v1" => V1,
        "v1-fixed" => V1Fixed,
        _ => throw new ArgumentException($"unknown design '{name}' (known: v1, v1-fixed)", nameof(name)),
    };
}

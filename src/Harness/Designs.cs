using Specs;
using BuddyModel;
using Harness;

namespace Harness;

/// <summary>
/// The designs a counterexample or the CLI can name: "buddy" (the plain buddy allocator, no
/// aeration), "v1" (the June 2019 aerator as posted) and "v1-fixed" (v1 with Aeration.Fixes).
/// </summary>
public static class Designs
{
    public const string Buddy = "buddy";
    public const string V1 = "v1";
    public const string V1Fixed = "v1-fixed";

    /// <summary>Every known design name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Buddy, V1, V1Fixed];

    /// <summary>Whether the name is a known design.</summary>
    public static bool IsKnown(string? name) => name is not null && Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Whether the design runs an aerator (and so takes an aeration setup and aeration operations).</summary>
    public static bool HasAerator(string name) => name is V1 or V1Fixed;

    /// <summary>A fresh system of the named design for the scenario.</summary>
    public static BuddySystem MakeSystem(string design, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return design switch
        {
            Buddy => new BuddySystem(new Zone(scenario.Config)),
            V1 or V1Fixed => new AerationSystem(scenario, AerationDesign.ByName(design)),
            _ => throw new ArgumentException($"unknown design '{design}' (known: {string.Join(", ", Names)})", nameof(design)),
        };
    }

    /// <summary>Run the scenario on the named design.</summary>
    public static RunReport Run(string design, Scenario scenario)
    {
        if (!IsKnown(design))
            throw new ArgumentException($"unknown design '{design}' (known: {string.Join(", ", Names)})", nameof(design));
        return ScenarioRunner.Run(scenario, sc => MakeSystem(design, sc));
    }
}

using BuddyModel;
using Reporting;

namespace Harness;

/// <summary>Which operations and setup a design takes.</summary>
public enum DesignFamily
{
    /// <summary>The buddy allocator alone.</summary>
    Buddy,
    /// <summary>The v1 aerator (aeration setup; aerator_startup, shutdown, worker and host steps).</summary>
    Aeration,
    /// <summary>The merged design (reporting setup; register, unregister, worker and host steps, clock, freeze).</summary>
    Reporting,
}

/// <summary>One registered design: its name, its family, how to build its system, and the design its findings are fixed in.</summary>
public sealed record Design(string Name, DesignFamily Family, Func<Scenario, BuddySystem> Make, string? FixedIn, string Summary);

/// <summary>
/// The registry of designs a counterexample or the CLI can name: "buddy" (the plain buddy
/// allocator), "v1" (the June 2019 aerator as posted), "v1-fixed" (v1 with Aeration.Fixes), and
/// the merged design's versions "reporting-5.7", "reporting-5.10", "reporting-5.14" and
/// "reporting" (mainline). Adding a design is one line in All.
/// </summary>
public static class Designs
{
    public const string Buddy = "buddy";
    public const string V1 = "v1";
    public const string V1Fixed = "v1-fixed";
    public const string Reporting = "reporting";

    /// <summary>Every registered design, in the order help texts list them.</summary>
    public static IReadOnlyList<Design> All { get; } =
    [
        new(Buddy, DesignFamily.Buddy, sc => new BuddySystem(sc.Zones.Select(c => new Zone(c)).ToList()), null, "the buddy allocator alone (mm/page_alloc.c, 5.2)"),
        new(V1, DesignFamily.Aeration, sc => new AerationSystem(sc, AerationDesign.V1), V1Fixed, "the v1 aeration series as posted (June 2019)"),
        new(V1Fixed, DesignFamily.Aeration, sc => new AerationSystem(sc, AerationDesign.V1Fixed), null, "v1 with the fixes for what this suite found"),
        .. ReportingVersion.All.Select(v => new Design(v.Name, DesignFamily.Reporting, sc => new PageReportingSystem(sc, v),
            v == ReportingVersion.Mainline ? null : Reporting, v == ReportingVersion.Mainline ? "free page reporting as in mainline today" : $"free page reporting as in Linux {v.Name["reporting-".Length..]}")),
    ];

    /// <summary>Every known design name.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>Whether the name is a known design.</summary>
    public static bool IsKnown(string? name) => name is not null && All.Any(d => d.Name == name);

    /// <summary>The registered design of that name.</summary>
    public static Design Named(string name) =>
        All.FirstOrDefault(d => d.Name == name)
        ?? throw new ArgumentException($"unknown design '{name}' (known: {string.Join(", ", Names)})", nameof(name));

    /// <summary>Whether the design runs an aerator (and so takes an aeration setup and aeration operations).</summary>
    public static bool HasAerator(string name) => IsKnown(name) && Named(name).Family == DesignFamily.Aeration;

    /// <summary>Whether the design is a version of the merged design (and so takes a reporting setup and its operations).</summary>
    public static bool IsReporting(string name) => IsKnown(name) && Named(name).Family == DesignFamily.Reporting;

    /// <summary>A fresh system of the named design for the scenario.</summary>
    public static BuddySystem MakeSystem(string design, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Named(design).Make(scenario);
    }

    /// <summary>Run the scenario on the named design.</summary>
    public static RunReport Run(string design, Scenario scenario)
    {
        var d = Named(design);
        return ScenarioRunner.Run(scenario, d.Make);
    }
}

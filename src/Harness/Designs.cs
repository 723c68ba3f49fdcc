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
/// allocator of 5.2), "buddy-6.0" and "buddy-6.10" (the allocator of those eras: the isolation
/// walk at pageblock granularity, and the 6.10 rework that splits in the same lock hold), "v1"
/// (the June 2019 aerator as posted), "v1-fixed" (v1 with Aeration.Fixes), and the merged
/// design's versions "reporting-5.7", "reporting-5.10", "reporting-5.14" and "reporting"
/// (mainline). Adding a design is one line in All.
/// </summary>
public static class Designs
{
    public const string Buddy = "buddy";
    public const string Buddy60 = "buddy-6.0";
    public const string Buddy610 = "buddy-6.10";
    public const string V1 = "v1";
    public const string V1Fixed = "v1-fixed";
    public const string Reporting = "reporting";

    /// <summary>Every registered design, in the order help texts list them.</summary>
    public static IReadOnlyList<Design> All { get; } =
    [
        // The isolation walk's findings in 5.2 and 6.0 (undo counting a split piece twice, the
        // window between isolate and split) are gone in 6.10; what 6.10 still does is its own.
        new(Buddy, DesignFamily.Buddy, sc => OfEra(sc, KernelEra.V5_2), Buddy610, "the buddy allocator alone (mm/page_alloc.c, 5.2)"),
        new(Buddy60, DesignFamily.Buddy, sc => OfEra(sc, KernelEra.V6_0), Buddy610, "the buddy allocator of 6.0 (isolation at pageblock granularity, split in a lock hold of its own)"),
        new(Buddy610, DesignFamily.Buddy, sc => OfEra(sc, KernelEra.V6_10), null, "the buddy allocator of 6.10 (isolation splits in the same lock hold; frees split by pageblock)"),
        new(V1, DesignFamily.Aeration, sc => new AerationSystem(sc, AerationDesign.V1), V1Fixed, "the v1 aeration series as posted (June 2019)"),
        new(V1Fixed, DesignFamily.Aeration, sc => new AerationSystem(sc, AerationDesign.V1Fixed), null, "v1 with the fixes for what this suite found"),
        .. ReportingVersion.All.Select(v => new Design(v.Name, DesignFamily.Reporting, sc => new PageReportingSystem(sc, v),
            v == ReportingVersion.Mainline ? null : Reporting, v == ReportingVersion.Mainline ? "free page reporting as in mainline today" : $"free page reporting as in Linux {v.Name["reporting-".Length..]}")),
    ];

    private static BuddySystem OfEra(Scenario sc, KernelEra era) => new(sc.Zones.Select(c => new Zone(c, era)).ToList());

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

using Checks;
using Snapshooter;
using Snapshooter.Xunit;

namespace Properties;

/// <summary>
/// Pins what a reviewer reads when a deliberately broken model is caught: the shrunk scenario and
/// every field of its violation (invariant, zone, expected, found, order, migratetype, pfn, where),
/// as text in __snapshots__ beside the calling test. A change of a violation's words or fields
/// shows up in review as a snapshot diff (update by deleting the .snap file and running the test
/// once without SNAPSHOOTER_STRICT_MODE).
/// </summary>
public static class ViolationSnapshot
{
    /// <summary>Match the shrunk failure of a broken model against its snapshot, named after the variant.</summary>
    public static void Match(string variant, PropertyCheck.Result result)
    {
        var v = result.ShrunkReport?.Violation ?? throw new ArgumentException($"{variant}: no shrunk violation to snapshot", nameof(result));
        string text = string.Join('\n',
            $"variant: {variant}",
            $"failing step: {result.ShrunkReport.FailedStep}",
            "scenario:",
            result.Shrunk!.ToString().TrimEnd(),
            "violation:",
            $"  invariant: {v.Invariant}",
            $"  zone: {v.Zone}",
            $"  order: {v.Order?.ToString() ?? "-"}",
            $"  migratetype: {v.Migratetype ?? "-"}",
            $"  pfn: {v.Pfn?.ToString() ?? "-"}",
            $"  where: {v.Where ?? "-"}",
            $"  expected: {v.Expected}",
            $"  found: {v.Found}",
            "message:",
            v.ToString());
        Snapshot.Match(text, new SnapshotNameExtension(variant));
    }
}

namespace Specs;

/// <summary>
/// One broken invariant, explained in the model's own terms: which invariant, where (zone,
/// order, migratetype, pfn, list neighbours), what was expected and what was found.
/// </summary>
public sealed record Violation(
    string Invariant,
    string Zone,
    string Expected,
    string Found,
    int? Order = null,
    string? Migratetype = null,
    long? Pfn = null,
    string? Where = null)
{
    /// <summary>One paragraph a kernel developer can read without the code.</summary>
    public override string ToString()
    {
        var at = new List<string> { $"zone {Zone}" };
        if (Order is int o) at.Add($"order {o}");
        if (Migratetype is string mt) at.Add($"migratetype {mt}");
        if (Pfn is long pfn) at.Add($"pfn {pfn}");
        string where = Where is null ? "" : $"; {Where}";
        return $"{Invariant} violated at {string.Join(", ", at)}{where}: expected {Expected}, found {Found}";
    }
}

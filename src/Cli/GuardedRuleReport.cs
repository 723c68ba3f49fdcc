using System.Globalization;
using BuddyModel;
using Spectre.Console;

namespace Cli;

/// <summary>
/// check's table of guarded rules: for every reachable GuardedRule, the kernel function and how
/// often each design's generated scenarios reached it with effect; then one line naming the
/// rules the model cannot reach ([Unreached]), and a closing line with how many were reached
/// and which were not. Deterministic: counts only, in the enum's order.
/// </summary>
public static class GuardedRuleReport
{
    public static void Write(IReadOnlyList<DesignCheck> results, IAnsiConsole console, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(stdout);
        if (results.Count == 0)
            return;
        var table = new Table().Title("guarded rules reached with effect (times)").AddColumns("rule", "kernel function");
        foreach (var r in results)
            table.AddColumn(r.Design);
        foreach (var info in GuardedRules.All.Where(i => i.UnreachedBecause is null))
            table.AddRow(new[] { info.Rule.ToString(), Markup.Escape(info.Function) }
                .Concat(results.Select(r => Count(r.Reach[(int)info.Rule]))).ToArray());
        console.Write(table);

        var unreachable = GuardedRules.All.Where(i => i.UnreachedBecause is not null).ToList();
        if (unreachable.Count > 0)
            stdout.WriteLine($"guarded rules this model cannot reach ([Unreached] in src/BuddyModel/GuardedRule.cs says why): {string.Join(", ", unreachable.Select(i => i.Rule))}");
        stdout.WriteLine(Summary(results));
    }

    /// <summary>
    /// "guarded rules: N of M reached with effect by ...", then the ones not reached (when designs
    /// of every family ran), and any [Unreached] rule that was reached.
    /// </summary>
    public static string Summary(IReadOnlyList<DesignCheck> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        bool Reached(GuardedRule rule) => results.Any(r => r.Reach[(int)rule] > 0);
        var reachable = GuardedRules.All.Where(i => i.UnreachedBecause is null).Select(i => i.Rule).ToList();
        var missed = reachable.Where(r => !Reached(r)).ToList();
        var surprise = GuardedRules.All.Where(i => i.UnreachedBecause is not null && Reached(i.Rule)).Select(i => i.Rule).ToList();
        string line = $"guarded rules: {reachable.Count - missed.Count} of {reachable.Count} reached with effect by {string.Join(", ", results.Select(r => r.Design))}";
        // Each family (buddy, v1, merged) has rules of its own: name the missed ones only when every family ran.
        bool allFamilies = Enum.GetValues<Harness.DesignFamily>().All(f => results.Any(r => Harness.Designs.Named(r.Design).Family == f));
        if (missed.Count > 0 && allFamilies)
            line += $"; not reached: {string.Join(", ", missed)}";
        else if (missed.Count > 0)
            line += " (the rules of the design families not checked here cannot be reached)";
        if (surprise.Count > 0)
            line += $"; reached although marked unreachable (mend its [Unreached]): {string.Join(", ", surprise)}";
        return line;
    }

    private static string Count(long n) => n == 0 ? "-" : n.ToString("N0", CultureInfo.InvariantCulture);
}

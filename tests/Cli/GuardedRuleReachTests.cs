using System.Text;
using BuddyModel;
using Xunit;
using Xunit.Abstractions;

namespace Cli.Tests;

/// <summary>
/// The default `check` must reach every guarded rule of the model with effect, or the rule says
/// why it cannot ([Unreached]) and stays unreached. Runs the check's own runner (CheckRunner)
/// with its default settings (designs, seed, 20,000 runs per design, batches, sizes), so that a
/// passing test is a statement about the default check itself. Prints every count.
/// </summary>
public sealed class GuardedRuleReachTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<DesignCheck>> DefaultCheck = new(() =>
        CheckSettings.Default.Designs.Select(d => CheckRunner.Run(d, CheckSettings.Default)).ToList());

    [Fact]
    public void The_default_check_reaches_every_reachable_guarded_rule_with_effect()
    {
        var results = DefaultCheck.Value;
        Assert.All(results, r => Assert.Null(r.Failure));
        var text = new StringBuilder();
        foreach (var info in GuardedRules.All)
            text.AppendLine($"{info.Rule,-32} {string.Join(" ", results.Select(r => $"{r.Reach[(int)info.Rule],9}"))}{(info.UnreachedBecause is null ? "" : "  [Unreached]")}");
        output.WriteLine(text.ToString());
        var missed = GuardedRules.All.Where(i => i.UnreachedBecause is null && results.All(r => r.Reach[(int)i.Rule] == 0)).Select(i => i.Rule).ToList();
        Assert.True(missed.Count == 0, $"the default check never reached with effect: {string.Join(", ", missed)} (drive it from the generators in src/Checks, or mark it [Unreached] with the reason)");
    }

    [Fact]
    public void Every_rule_marked_unreached_stays_unreached_by_the_default_check()
    {
        var results = DefaultCheck.Value;
        var reached = GuardedRules.All.Where(i => i.UnreachedBecause is not null && results.Any(r => r.Reach[(int)i.Rule] > 0)).ToList();
        Assert.True(reached.Count == 0, "reached although marked [Unreached] (its reason no longer holds; remove the attribute): "
            + string.Join("; ", reached.Select(i => $"{i.Rule} ({string.Join(", ", results.Where(r => r.Reach[(int)i.Rule] > 0).Select(r => $"{r.Design} {r.Reach[(int)i.Rule]}"))}): {i.UnreachedBecause}")));
        // The catalog is not empty of either kind, and each unreachable rule gives a reason.
        Assert.Contains(GuardedRules.All, i => i.UnreachedBecause is null);
        Assert.All(GuardedRules.All.Where(i => i.UnreachedBecause is not null), i => Assert.True(i.UnreachedBecause!.Length > 40, $"{i.Rule}: a reason, not a tag"));
    }

    [Fact]
    public void Check_prints_the_guarded_rule_table_and_its_summary_line()
    {
        var (code, stdout, err) = TestFiles.RunCli("check", "--no-concurrency", "--skip-regressions", "--runs", "200");
        Assert.True(code == ExitCodes.Ok, stdout + err);
        Assert.Contains("guarded rules reached with effect (times)", stdout, StringComparison.Ordinal);
        Assert.Contains("│ MergeBuddyNotFree ", stdout, StringComparison.Ordinal);
        Assert.Contains("guarded rules this model cannot reach", stdout, StringComparison.Ordinal);
        Assert.Matches(@"guarded rules: \d+ of \d+ reached with effect by buddy, v1-fixed, reporting", stdout);
        // Same seed, same output, byte for byte.
        Assert.Equal(stdout, TestFiles.RunCli("check", "--no-concurrency", "--skip-regressions", "--runs", "200").Out);
    }
}

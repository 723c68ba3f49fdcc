using Checks.Exhaust;
using Counterexamples;
using Harness;
using Xunit;
using Xunit.Abstractions;

namespace Cli.Tests;

/// <summary>
/// Every file in regressions/ measured against the breadth-first minimum of its own
/// configuration (its design, guest and setup; the generators' moves, widened to every kind of
/// step the file takes), searched up to the file's length within a state bound, for the
/// invariant the file fails (another bug met sooner on the way ends that path, see
/// ExhaustConfig.TargetInvariant). Each file's
/// verdict is pinned: "= n" (no shorter counterexample exists) or "≥ k" (the bound ended the
/// search after depth k - 1, with no counterexample that short; the README's table says why
/// the rest is out of reach). A shorter counterexample found fails the row.
/// </summary>
public sealed class RegressionMinimumTests(ITestOutputHelper output)
{
    /// <summary>States each search may explore in the default run (EXHAUST_LONG=1: LongBound).</summary>
    private const long Bound = 3_000;

    private const long LongBound = 20_000;

    private static bool Long => Environment.GetEnvironmentVariable("EXHAUST_LONG") == "1";

    /// <summary>
    /// file, its verdict (with the default bound, or for a long row with the long one), and
    /// whether it runs only with EXHAUST_LONG=1 (a search of more than a second or two on two
    /// cores). With the long bound a verdict may get stronger, never weaker.
    /// </summary>
    private static readonly Dictionary<string, (string Verdict, bool Long)> Verdicts = new()
    {
        ["buddy-6.0-walk-straddling-block-between-lock-holds.json"] = ("≥ 1", false),
        ["buddy-6.10-putback-held-block-across-partly-isolated-block.json"] = ("≥ 2", true),
        ["buddy-walk-undo-counts-split-piece-twice.json"] = ("≥ 2", false),
        ["reporting-5.14-driver-order-0-ignored.json"] = ("= 1", false),
        ["reporting-5.14-lost-ack-dense-layout.json"] = ("= 1", false),
        ["reporting-5.14-unvalidated-order.json"] = ("= 2", false),
        ["reporting-5.14-work-during-freeze.json"] = ("= 2", false),
        ["reporting-5.7-poisoning-without-page-poison.json"] = ("≥ 3", true),
        ["reporting-putback-reported-block-across-partly-isolated-block.json"] = ("≥ 1", true),
        ["v1-expand-made-raw-blocks-never-request-a-pass.json"] = ("≥ 2", false),
        ["v1-fill-ignores-low-watermark.json"] = ("≥ 2", false),
        ["v1-fill-takes-isolated-blocks.json"] = ("= 2", false),
        ["v1-moved-block-loses-mark-never-reprocessed.json"] = ("≥ 3", true),
    };

    /// <summary>The files the run checks: every one with EXHAUST_LONG=1, the quick ones otherwise.</summary>
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var (name, (_, longOnly)) in Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal))
            if (Long || !longOnly)
                data.Add(name);
        return data;
    }

    [Fact]
    public void Every_regression_file_has_a_pinned_verdict()
    {
        var files = RegressionFolder.Files(TestFiles.Regressions).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(files, Verdicts.Keys.Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Regression_is_as_short_as_the_breadth_first_minimum_of_its_configuration(string name)
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, name));
        Func<Scenario, BuddySystem> make = s => Designs.MakeSystem(file.Design, s);
        var moves = ExhaustAlphabet.OfGenerators(make(file.Scenario with { Operations = [] }));
        string? notMoves = MinimumSearch.StepsAreMoves(file.Scenario, make, moves);

        var min = MinimumSearch.Run(file.Scenario, make, moves, Long ? LongBound : Bound, file.Expected.Invariant);
        output.WriteLine($"{name}: {min.Length} operations, breadth-first {min.Verdict} ({min.States:N0} states, {min.Elapsed.TotalSeconds:F1} s){(notMoves is null ? "" : $"; {notMoves}")}");
        if (min.Shortest is { } shortest)
            output.WriteLine($"shortest: {shortest}\nunder {file.FixedBy ?? "(no fix)"}: {(file.FixedBy is { } fix ? Designs.Run(fix, shortest).FailureMessage ?? "passes" : "-")}\n{Designs.Run(file.Design, shortest).FailureMessage}");
        Assert.False(min.Minimum < min.Length, $"{name}: the explorer found a counterexample of {min.Minimum} operations, the file has {min.Length}");
        if (min.Minimum is not null)
            Assert.Equal(file.Expected.Invariant, min.Invariant);
        string pinned = Verdicts[name].Verdict;
        if (Long)
            Assert.True(min.AtLeast(pinned), $"{name}: {min.Verdict}, weaker than the pinned {pinned}");
        else
            Assert.Equal(pinned, min.Verdict);
    }
}

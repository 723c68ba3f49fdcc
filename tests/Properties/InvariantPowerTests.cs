using System.Reflection;
using Checks;
using Harness;
using Properties.Aeration;
using Properties.Buddy;
using Properties.Reporting;
using Specs;
using Specs.Reporting;
using Xunit;
using Xunit.Abstractions;

namespace Properties;

/// <summary>
/// Every invariant has power of its own: a deliberately broken model that it is the one to catch
/// (the Caught tables of BrokenAllocatorTests, BrokenAeratorTests and BrokenReporterTests, which
/// assert the exact invariant), or a recorded finding of a real design version that a named test
/// asserts it for. An invariant that only ever fires after another has fired could be switched
/// off without any test noticing; this test makes adding one without its broken model fail.
/// </summary>
public sealed class InvariantPowerTests(ITestOutputHelper output)
{
    /// <summary>Invariants whose catch is a finding of a real design version or a check of its own, and the test that asserts it.</summary>
    private static readonly (string Invariant, Type Test, string Method)[] Findings =
    [
        ("Low watermark kept", typeof(V1FindingTests), nameof(V1FindingTests.V1_fill_ignores_the_low_watermark)),
        ("Reporting order in range", typeof(ReportingFindings.ReportingFindingTests), nameof(ReportingFindings.ReportingFindingTests.An_unvalidated_page_reporting_order_names_no_free_area)),
        ("Never report under the lock", typeof(ReportingFindings.NoReportUnderLockTests), nameof(ReportingFindings.NoReportUnderLockTests.A_report_with_zone_lock_held_is_a_violation_naming_the_zone)),
        ("Reporting gate kept", typeof(ReportingFindings.ReportingGateTests), nameof(ReportingFindings.ReportingGateTests.A_pass_that_reported_below_the_gate_is_a_violation)),
        ("Reported blocks reused last", typeof(ReportingFindings.ReportedReuseTests), nameof(ReportingFindings.ReportedReuseTests.The_head_placement_shrinks_to_a_short_scenario_that_mainline_passes)),
        // Shadowed in the sequential harness by the Differential oracle, which is told the same
        // held blocks and fires in the same step; the test below evaluates it alone.
        ("Isolated blocks come back", typeof(InvariantPowerTests), nameof(Isolated_blocks_come_back_catches_a_drain_that_keeps_a_block_on_its_own)),
    ];

    /// <summary>Checks the harness makes itself (not Invariant classes of Specs), by the names their violations carry.</summary>
    private static readonly string[] HarnessChecks = ["Differential oracle", "Progress", "Low watermark kept"];

    /// <summary>Every invariant Specs defines: the Invariant subclasses, and the checks that publish a Name constant.</summary>
    private static IEnumerable<string> SpecsInvariants()
    {
        var specs = typeof(Invariant<>).Assembly;
        foreach (var t in specs.GetTypes().Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(Invariant<>)))
            yield return (string)t.GetProperty("Name")!.GetValue(Activator.CreateInstance(t))!;
        foreach (var t in specs.GetTypes())
            if (t.GetField("Name", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f && f.FieldType == typeof(string))
                yield return (string)f.GetRawConstantValue()!;
        yield return Specs.Oracle.ReferenceModel.InvariantName;
        yield return Specs.Oracle.ReferenceLists.InvariantName;
    }

    private static IEnumerable<string> CaughtBy(IEnumerable<object[]> rows) => rows.Select(r => (string)r[1]);

    [Fact]
    public void Every_invariant_is_the_first_to_catch_a_broken_model_or_a_recorded_finding()
    {
        var all = SpecsInvariants().Concat(HarnessChecks).ToHashSet();
        var caught = CaughtBy(BrokenAllocatorTests.Caught).Concat(CaughtBy(BrokenAeratorTests.Caught)).Concat(CaughtBy(BrokenReporterTests.Caught)).ToHashSet();
        foreach (var (invariant, test, method) in Findings)
        {
            Assert.NotNull(test.GetMethod(method)); // the named test exists
            Assert.True(test.GetMethod(method)!.GetCustomAttributes<FactAttribute>(inherit: true).Any(), $"{test.Name}.{method} is not a test");
            caught.Add(invariant);
        }
        foreach (var name in all.Order(StringComparer.Ordinal))
            output.WriteLine($"{(caught.Contains(name) ? "caught" : "MISSED")}  {name}");
        Assert.Empty(all.Except(caught).Order(StringComparer.Ordinal));
        Assert.Empty(caught.Except(all).Order(StringComparer.Ordinal)); // no table names an invariant that does not exist
    }

    /// <summary>
    /// DrainStopsOneShort keeps the last block of every report off the free lists. The harness
    /// reports it as the Differential oracle (checked first, in the same step); Isolated blocks
    /// come back, evaluated alone on every state of the same shrunk run, catches it in that step.
    /// </summary>
    [Fact]
    public void Isolated_blocks_come_back_catches_a_drain_that_keeps_a_block_on_its_own()
    {
        RunReport Run(Scenario s, Action<ScenarioStep>? observe = null) =>
            ScenarioRunner.Run(s, sc => new PageReportingSystem(sc, BrokenReporters.Base, BrokenReporters.Parts(nameof(DrainStopsOneShort))), observe);
        var result = PropertyCheck.Check(ReportingOperationGen.Arbitrary(), s => Run(s), maxTest: 500, seed: 20200407);
        Assert.False(result.Passed);

        var invariant = new IsolatedBlocksComeBack();
        (int Step, Violation V)? alone = null;
        Run(result.Shrunk!, step =>
        {
            if (alone is null && step.System is IReportingSubject subject && invariant.Check(subject) is { } v)
                alone = (step.Step, v);
        });
        Assert.NotNull(alone);
        Assert.Equal(result.ShrunkReport!.FailedStep, alone!.Value.Step);
        Assert.Equal("Isolated blocks come back", alone.Value.V.Invariant);
        Assert.Contains("every block taken for a report back on a free list once the report returned", alone.Value.V.ToString(), StringComparison.Ordinal);
        output.WriteLine(alone.Value.V.ToString());
    }
}

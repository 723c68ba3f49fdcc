using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Harness;

namespace Checks;

/// <summary>
/// Runs a scenario property through FsCheck with a fixed seed and captures the result, so that
/// tests can assert on the shrunk counterexample (broken models) or fail with a numbered list
/// of operations and the replay seed (real properties).
///
/// Replay: set PROPERTY_REPLAY="(seed,gamma)" to rerun a whole check from the seed it printed.
/// </summary>
public static class PropertyCheck
{
    /// <summary>The outcome of a check.</summary>
    public sealed record Result(bool Passed, int Tests, int Shrinks, Scenario? Original, Scenario? Shrunk, RunReport? ShrunkReport, string Replay);

    /// <summary>Thrown inside the property so that FsCheck shrinks on the report.</summary>
    public sealed class ScenarioFailed(RunReport report) : Exception(report.FailureMessage)
    {
        public RunReport Report { get; } = report;
    }

    /// <summary>Check that run passes on maxTest generated scenarios, starting from the given seed.</summary>
    public static Result Check(Arbitrary<Scenario> arbitrary, Func<Scenario, RunReport> run, int maxTest, ulong seed, int endSize = 100)
    {
        (ulong s, ulong g) = ReplayFromEnvironment() ?? (seed, 0x9E3779B97F4A7C15UL);
        var runner = new CapturingRunner();
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithEndSize(endSize)
            .WithRunner(runner)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(s, g), FSharpOption<int>.None)));
        var property = Prop.ForAll(arbitrary, (Scenario sc) =>
        {
            var report = run(sc);
            if (!report.Passed)
                throw new ScenarioFailed(report);
        });
        FsCheck.Check.One(config, property);
        string replay = $"({s},{g})";
        return runner.Result switch
        {
            TestResult.Failed f => new Result(false, f.Item1.NumberOfTests, f.Item1.NumberOfShrinks,
                f.Item2.Head as Scenario, f.Item3.Head as Scenario,
                (f.Item4 as Outcome.Failed)?.Item is ScenarioFailed sf ? sf.Report : null, replay),
            TestResult.Passed p => new Result(true, p.Item1.NumberOfTests, 0, null, null, null, replay),
            TestResult.Exhausted e => new Result(false, e.Item.NumberOfTests, 0, null, null, null, replay),
            _ => throw new InvalidOperationException("FsCheck did not report a result"),
        };
    }

    /// <summary>The message of a failed check: shrunk scenario, its numbered run, and how to replay.</summary>
    public static string Explain(Result r)
    {
        if (r.Passed)
            return $"passed {r.Tests} tests";
        return $"Falsified after {r.Tests} tests and {r.Shrinks} shrinks.\n"
            + $"Shrunk counterexample: {r.Shrunk}\n"
            + $"Run:\n{r.ShrunkReport?.Narrate()}"
            + $"Replay: PROPERTY_REPLAY=\"{r.Replay}\" dotnet test --filter <this test>";
    }

    private static (ulong, ulong)? ReplayFromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("PROPERTY_REPLAY");
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var parts = text.Trim().Trim('(', ')').Split(',');
        if (parts.Length < 2 || !ulong.TryParse(parts[0], out var s) || !ulong.TryParse(parts[1], out var g))
            throw new ArgumentException($"PROPERTY_REPLAY must look like (seed,gamma), not '{text}'");
        return (s, g);
    }

    private sealed class CapturingRunner : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type t) { }

        public void OnArguments(int ntest, Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<int, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string>> every) { }

        public void OnShrink(Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}

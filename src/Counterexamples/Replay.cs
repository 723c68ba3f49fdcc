using Specs;
using Harness;

namespace Counterexamples;

/// <summary>How a replay ended.</summary>
public enum ReplayOutcome
{
    /// <summary>The run logged the same steps and failed with the same violation at the same step.</summary>
    Reproduced,
    /// <summary>The run's log differs from the file's before the failure: the model changed under the counterexample.</summary>
    Diverged,
    /// <summary>The log matched as far as it went, but the failure is another one (or at another step).</summary>
    DifferentFailure,
    /// <summary>The run passed: the violation did not come back.</summary>
    Passed,
}

/// <summary>The result of a replay: the outcome, the run, and a message that says where it went wrong.</summary>
public sealed record ReplayResult(ReplayOutcome Outcome, string Design, RunReport Report, string Message, int? DivergedAtStep = null)
{
    /// <summary>Whether the counterexample still fails as recorded.</summary>
    public bool Reproduced => Outcome == ReplayOutcome.Reproduced;
}

/// <summary>
/// Replays counterexample files: runs the scenario with ScenarioRunner on the file's design and
/// compares the run with the file (log step by step, then the failure's step, invariant and
/// message). Shared by the CLI (replay, check) and the regression tests.
/// </summary>
public static class Replayer
{
    /// <summary>Replay under the design the file fails under.</summary>
    public static ReplayResult Replay(CounterexampleFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var report = Designs.Run(file.Design, file.Scenario);
        return Compare(file, report);
    }

    /// <summary>
    /// Run the scenario under the file's fixedBy design, which must pass. Null when the file
    /// names no fix.
    /// </summary>
    public static ReplayResult? ReplayFix(CounterexampleFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.FixedBy is not string fix)
            return null;
        var report = Designs.Run(fix, file.Scenario);
        return report.Passed
            ? new ReplayResult(ReplayOutcome.Passed, fix, report, $"passes under the fix '{fix}'")
            : new ReplayResult(ReplayOutcome.DifferentFailure, fix, report, $"still fails under its fix '{fix}': {report.FailureMessage}");
    }

    /// <summary>Compare a run of the file's scenario with what the file recorded.</summary>
    public static ReplayResult Compare(CounterexampleFile file, RunReport report)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(report);
        if (file.Log is { } expectedLog)
        {
            int n = Math.Min(expectedLog.Count, report.Log.Count);
            for (int i = 0; i < n; i++)
            {
                if (!string.Equals(expectedLog[i], report.Log[i], StringComparison.Ordinal))
                    return Diverged(file, report, i + 1, $"expected \"{expectedLog[i]}\", got \"{report.Log[i]}\"");
            }
            if (report.Log.Count < expectedLog.Count)
                return Diverged(file, report, report.Log.Count + 1,
                    $"expected \"{expectedLog[report.Log.Count]}\", but the run stopped after step {report.Log.Count}"
                    + (report.Passed ? " and passed" : $": {report.FailureMessage}"));
            if (report.Log.Count > expectedLog.Count)
                return Diverged(file, report, expectedLog.Count + 1,
                    $"the recorded run ended after step {expectedLog.Count}, but this run went on with \"{report.Log[expectedLog.Count]}\"");
        }
        if (report.Passed)
            return new ReplayResult(ReplayOutcome.Passed, file.Design, report,
                $"the violation did not come back under design '{file.Design}': the run passed (expected {file.Expected})");
        var actual = ExpectedFailure.Of(report);
        if (actual.Step != file.Expected.Step || actual.Invariant != file.Expected.Invariant || actual.Message != file.Expected.Message)
        {
            string what = actual.Invariant != file.Expected.Invariant ? $"invariant '{actual.Invariant}' instead of '{file.Expected.Invariant}'"
                : actual.Step != file.Expected.Step ? $"step {actual.Step} instead of step {file.Expected.Step}"
                : "the same invariant with a different message";
            return new ReplayResult(ReplayOutcome.DifferentFailure, file.Design, report,
                $"a different failure under design '{file.Design}': {what}\n  expected: {file.Expected}\n  got:      {actual}", actual.Step);
        }
        return new ReplayResult(ReplayOutcome.Reproduced, file.Design, report, $"reproduced under design '{file.Design}': {actual}");
    }

    private static ReplayResult Diverged(CounterexampleFile file, RunReport report, int step, string detail) =>
        new(ReplayOutcome.Diverged, file.Design, report,
            $"the run diverged from the file at step {step} under design '{file.Design}': {detail}", step);
}

using Specs;
using Harness;

namespace Counterexamples;

/// <summary>
/// A counterexample as it is kept on disk: the design it fails under, the model configuration
/// and operations (a Scenario), the failure it must reproduce, and where it came from. The JSON
/// form is documented in src/Cli/README-cli.md; CounterexampleWriter writes it and
/// CounterexampleLoader reads it back.
/// </summary>
public sealed record CounterexampleFile(
    string Design,
    Scenario Scenario,
    ExpectedFailure Expected,
    ulong? Seed = null,
    string? FixedBy = null,
    string? Title = null,
    IReadOnlyList<string>? Log = null)
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The file's format version.</summary>
    public int FormatVersion => CurrentVersion;

    /// <summary>A file for a failed run: the expected failure and the log are the run's own.</summary>
    public static CounterexampleFile FromRun(string design, Scenario scenario, RunReport report, ulong? seed = null, string? fixedBy = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Passed)
            throw new ArgumentException("a passing run is not a counterexample", nameof(report));
        return new CounterexampleFile(design, scenario, ExpectedFailure.Of(report), seed, fixedBy, title, report.Log.ToArray());
    }
}

/// <summary>
/// The failure a counterexample reproduces: the step (1-based, counting settle steps as the log
/// does), the invariant's name ("model error" for a refused operation) and the full message.
/// </summary>
public sealed record ExpectedFailure(int Step, string Invariant, string Message)
{
    /// <summary>The name used when the model refused an operation instead of breaking an invariant.</summary>
    public const string ModelError = "model error";

    /// <summary>The failure of a failed run.</summary>
    public static ExpectedFailure Of(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.FailedStep is not int step)
            throw new ArgumentException("the run passed", nameof(report));
        return new ExpectedFailure(step, report.Violation?.Invariant ?? ModelError, report.Violation?.ToString() ?? report.Error ?? "");
    }

    public override string ToString() => $"step {Step}: {Message}";
}

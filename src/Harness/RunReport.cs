using Specs;
using System.Text;

namespace Harness;

/// <summary>
/// The result of running a scenario: the log of every step and, if the run failed, the step
/// and the violation (or the model error) that failed it.
/// </summary>
public sealed record RunReport(IReadOnlyList<string> Log, int? FailedStep, Violation? Violation, string? Error)
{
    /// <summary>Whether every step ran and every invariant held after each one.</summary>
    public bool Passed => FailedStep is null;

    /// <summary>The failure in one paragraph: the step number and what broke.</summary>
    public string FailureMessage => FailedStep is int s
        ? $"step {s}: {(Violation?.ToString() ?? Error)}"
        : "passed";

    /// <summary>The numbered log of the run, ending with the failure if any.</summary>
    public string Narrate()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Log.Count; i++)
            sb.AppendLine($"  {i + 1}. {Log[i]}");
        if (!Passed)
            sb.AppendLine($"  => {FailureMessage}");
        return sb.ToString();
    }
}

using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Concurrency.Harness;

/// <summary>The exploration strategies the suite compares.</summary>
public enum Strategy
{
    /// <summary>Coyote's random walk (fair).</summary>
    Random,
    /// <summary>PCT: priority-based, with a bounded number of priority changes (unfair).</summary>
    Pct,
    /// <summary>Coyote's tuned portfolio of strategies (fair portfolio mode).</summary>
    Portfolio,
    /// <summary>
    /// Coyote's probabilistic strategy with bound 5: keeps the running operation and switches
    /// with probability 2^-5 at each scheduling point, so a run has a few preemptions; chosen by
    /// measurement for bugs that need one preemption (measurements/time-to-bug.md).
    /// </summary>
    Probabilistic,
}

/// <summary>What one Coyote exploration found, and what it cost.</summary>
public sealed record CoyoteResult(
    Strategy Strategy,
    uint Seed,
    bool BugFound,
    string? Bug,
    int Iterations,
    TimeSpan Elapsed,
    long Steps,
    string? ReproducibleTrace,
    IReadOnlyList<string> UncontrolledInvocations)
{
    public double IterationsPerSecond => Iterations / Math.Max(Elapsed.TotalSeconds, 1e-9);
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>Runs a test delegate under Coyote's TestingEngine with a fixed strategy and seed.</summary>
public static class CoyoteRunner
{
    /// <summary>Scheduling steps one iteration may take before it is cut off (fair bound; the unfair one is a tenth).</summary>
    public const uint DefaultMaxSteps = 5000;

    /// <summary>The bound of Strategy.Probabilistic (switch probability 2^-bound); COYOTE_PROBABILISTIC_BOUND overrides it for a measurement.</summary>
    public static readonly uint ProbabilisticBound =
        uint.TryParse(Environment.GetEnvironmentVariable("COYOTE_PROBABILISTIC_BOUND"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var b) && b is > 0 and < 32 ? b : 5;

    /// <summary>The suite's configuration: one strategy, a seed, an iteration budget; probabilisticBound overrides Strategy.Probabilistic's bound.</summary>
    public static Configuration Configure(Strategy strategy, uint seed, uint iterations, uint maxSteps = DefaultMaxSteps, uint livenessThreshold = 0, uint? probabilisticBound = null)
    {
        var c = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithRandomGeneratorSeed(seed)
            .WithMaxSchedulingSteps(maxSteps, maxSteps * 10) // unfair (PCT, random) and fair bounds: an iteration cut short never reaches the final checks
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPotentialDeadlocksReportedAsBugs(true);
        c = strategy switch
        {
            Strategy.Random => c.WithRandomStrategy(),
            Strategy.Pct => c.WithPrioritizationStrategy(false, 10),
            Strategy.Portfolio => Portfolio(c),
            Strategy.Probabilistic => c.WithProbabilisticStrategy(probabilisticBound ?? ProbabilisticBound),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
        };
        if (livenessThreshold > 0)
            c = c.WithLivenessTemperatureThreshold(livenessThreshold);
        return c;
    }

    /// <summary>
    /// Coyote 1.7.11's portfolio mode (a tuned mix of strategies, switched between iterations).
    /// Configuration.WithPortfolioMode is not public in this version; the CLI's
    /// `--strategy portfolio` sets the same flag, so this calls the method by reflection.
    /// </summary>
    private static Configuration Portfolio(Configuration c)
    {
        var m = typeof(Configuration).GetMethod("WithPortfolioMode", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            ?? throw new MissingMethodException("Configuration.WithPortfolioMode");
        return (Configuration)m.Invoke(c, [true])!;
    }

    /// <summary>Explore until the first bug or the iteration budget; count iterations and steps.</summary>
    public static CoyoteResult Run(Strategy strategy, uint seed, uint iterations, Func<Task> test, uint maxSteps = DefaultMaxSteps, uint livenessThreshold = 0)
        => Run(strategy, seed, Configure(strategy, seed, iterations, maxSteps, livenessThreshold), test);

    public static CoyoteResult Run(Strategy strategy, uint seed, Configuration configuration, Func<Task> test)
    {
        Environment.SetEnvironmentVariable("COYOTE_CLI_TELEMETRY_OPTOUT", "1");
        using var engine = TestingEngine.Create(configuration, test);
        int iterations = 0;
        engine.RegisterStartIterationCallBack(_ => iterations++);
        var sw = Stopwatch.StartNew();
        engine.Run();
        sw.Stop();
        var report = engine.TestReport;
        bool bug = report.NumOfFoundBugs > 0;
        return new CoyoteResult(
            strategy, seed, bug,
            bug ? report.BugReports.First() : null,
            iterations, sw.Elapsed,
            report.TotalExploredFairSteps + report.TotalExploredUnfairSteps,
            bug ? engine.ReproducibleTrace : null,
            report.UncontrolledInvocations.ToList());
    }

    /// <summary>Replay a reproducible trace once.</summary>
    public static CoyoteResult Replay(string trace, Func<Task> test)
    {
        var c = Configuration.Create()
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithPotentialDeadlocksReportedAsBugs(true)
            .WithReproducibleTrace(trace);
        return Run(Strategy.Random, 0, c, test);
    }
}

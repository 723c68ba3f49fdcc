using System.Globalization;
using System.Text.Json;

namespace Concurrency.Harness;

/// <summary>
/// A small, fixed-seed exploration of several scenarios: what `check` runs after its sequential
/// checks. Each scenario is explored with PCT and then with random scheduling, each with the
/// same iteration budget and seed, stopping at the first bug. PCT finds the races that need one
/// preemption at a bad place; random finds the ones that need many small interleavings. The
/// budget is a sample, not a proof: the long explorations are `explore` and the Coyote tests.
/// </summary>
public static class Sweep
{
    /// <summary>The strategies of the sweep, in the order they run.</summary>
    public static readonly IReadOnlyList<Strategy> Strategies = [Strategy.Pct, Strategy.Random];

    /// <summary>One exploration of the sweep, as the CLI reads it.</summary>
    public sealed record Line(string Method, string Strategy, uint Seed, int Iterations, long Steps, double Seconds, string? Bug, string? Trace);

    /// <summary>
    /// Explore every method with every strategy; write one JSON line per exploration to output
    /// and the trace of each bug to outDir as METHOD-STRATEGY-seedS.trace (the name `replay`
    /// and `minimize` read the method from). Returns 0.
    /// </summary>
    public static int Run(uint iterations, uint seed, string outDir, IReadOnlyList<(string Method, Func<Task> Test)> scenarios, TextWriter output)
    {
        Directory.CreateDirectory(outDir);
        foreach (var (method, test) in scenarios)
        {
            foreach (var strategy in Strategies)
            {
                var r = CoyoteRunner.Run(strategy, seed, iterations, test);
                string name = Name(strategy);
                string? trace = null;
                if (r.BugFound && r.ReproducibleTrace is { } text)
                {
                    trace = Path.GetFullPath(Path.Combine(outDir, $"{method}-{name}-seed{seed.ToString(CultureInfo.InvariantCulture)}.trace"));
                    File.WriteAllText(trace, text);
                }
                output.WriteLine(JsonSerializer.Serialize(new Line(method, name, seed, r.Iterations, r.Steps, r.Elapsed.TotalSeconds, r.Bug, trace)));
                output.Flush();
            }
        }
        return 0;
    }

    /// <summary>The strategy's name as `explore --strategy` spells it.</summary>
    public static string Name(Strategy s) => s switch
    {
        Strategy.Pct => "pct",
        Strategy.Random => "random",
        Strategy.Probabilistic => "probabilistic",
        Strategy.Portfolio => "portfolio",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}

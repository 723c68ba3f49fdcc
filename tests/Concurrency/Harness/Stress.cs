using System.Diagnostics;

namespace Concurrency.Harness;

/// <summary>
/// The same scenario on real threads, without Coyote's scheduler: run it again and again until
/// the failure shows or the wall-clock budget is spent. (The assemblies are rewritten, but with
/// no TestingEngine running, the rewritten Task, lock, Interlocked and Volatile calls go straight
/// to the real ones.)
/// </summary>
public static class Stress
{
    public sealed record Result(bool Found, string? Failure, int Runs, TimeSpan Elapsed);

    /// <summary>
    /// A whole budget spent: how many runs, how many of them failed (and how), how many of the
    /// failures were the target (isTarget), how many hung. FirstFoundAfter is the run count and
    /// wall-clock time at the first target failure (null if none).
    /// </summary>
    public sealed record Tally(
        int Runs,
        int Failures,
        int Targets,
        int Hangs,
        TimeSpan Elapsed,
        int? FirstFoundAfterRuns,
        TimeSpan? FirstFoundAfter,
        IReadOnlyDictionary<string, int> FailureKinds)
    {
        public double RunsPerSecond => Runs / Math.Max(Elapsed.TotalSeconds, 1e-9);
    }

    public static Result Run(Func<ScenarioSpec> spec, TimeSpan budget)
    {
        var sw = Stopwatch.StartNew();
        int runs = 0;
        while (sw.Elapsed < budget)
        {
            var h = new ConcurrentAeration(spec(), underCoyote: false);
            var run = Task.Run(h.Run);
            if (!run.Wait(TimeSpan.FromSeconds(10)))
                return new Result(true, "hang: the scenario did not finish in 10 s", runs + 1, sw.Elapsed);
            runs++;
            if (h.Failure is { } f)
                return new Result(true, f, runs, sw.Elapsed);
        }
        return new Result(false, null, runs, sw.Elapsed);
    }

    /// <summary>
    /// Run the scenario on real threads for the whole budget and count the runs that failed.
    /// A run that does not finish within hangTimeout counts as a hang and ends the tally (its
    /// threads cannot be stopped; further runs would compete with them).
    /// </summary>
    public static Tally Count(Func<ScenarioSpec> spec, TimeSpan budget, Func<string, bool> isTarget, TimeSpan? hangTimeout = null, Func<string, string>? classify = null)
    {
        var timeout = hangTimeout ?? TimeSpan.FromSeconds(10);
        classify ??= f => f.Length > 80 ? f[..80] : f;
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var sw = Stopwatch.StartNew();
        int runs = 0, failures = 0, targets = 0, hangs = 0;
        int? firstRuns = null;
        TimeSpan? firstTime = null;
        while (sw.Elapsed < budget)
        {
            var h = new ConcurrentAeration(spec(), underCoyote: false);
            var run = Task.Run(h.Run);
            bool finished;
            try
            {
                finished = run.Wait(timeout);
            }
            catch (AggregateException e)
            {
                // The harness itself threw on real threads (a product exception outside the
                // worker's catch): a failure of the run, recorded like the others.
                finished = true;
                runs++;
                failures++;
                var k = "exception: " + classify(e.InnerException?.Message ?? e.Message);
                kinds[k] = kinds.GetValueOrDefault(k) + 1;
                continue;
            }
            runs++;
            if (!finished)
            {
                hangs++;
                kinds["hang"] = kinds.GetValueOrDefault("hang") + 1;
                break;
            }
            if (h.Failure is { } f)
            {
                failures++;
                var k = classify(f);
                kinds[k] = kinds.GetValueOrDefault(k) + 1;
                if (isTarget(f))
                {
                    targets++;
                    if (firstRuns is null) { firstRuns = runs; firstTime = sw.Elapsed; }
                }
            }
        }
        return new Tally(runs, failures, targets, hangs, sw.Elapsed, firstRuns, firstTime, kinds);
    }
}

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
}

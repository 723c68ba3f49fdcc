namespace Concurrency.Harness;

/// <summary>
/// The baseline for scheduling throughput: two tasks that take one lock in turn and bump a
/// counter, with Interlocked and Volatile accesses inside, about as many scheduling points per
/// iteration as scenario 1 has. Nothing to find.
/// </summary>
public static class BareLock
{
    public static async Task Run()
    {
        var gate = new object();
        int counter = 0;
        int shared = 0;
        async Task Body()
        {
            for (int i = 0; i < 60; i++)
            {
                lock (gate)
                {
                    counter++;
                    Interlocked.Increment(ref shared);
                    _ = Volatile.Read(ref shared);
                }
                await Task.Yield();
            }
        }
        var a = Task.Run(Body);
        var b = Task.Run(Body);
        await Task.WhenAll(new[] { a, b });
        Microsoft.Coyote.Specifications.Specification.Assert(counter == 120, $"lost update: {counter}");
    }
}

using Xunit;

namespace Simulation.Tests;

/// <summary>The workload format: what each step means, repeats unrolled, and one clear line for every mistake.</summary>
public sealed class WorkloadParserTests
{
    [Fact]
    public void A_burst_repeated_unrolls_into_its_steps()
    {
        var w = WorkloadParser.Parse("burst", """
            # a 512 MiB burst of huge pages, three times
            repeat 3
              alloc 512M as 2M name burst
              touch burst
              hold 10s        # the guest keeps it
              free burst
              sleep 500ms
            end
            alloc 64K
            free alloc1 8K
            """);
        Assert.Equal(17, w.Steps.Count);
        Assert.Equal(new AllocStep(3, "burst", 512L << 20, 9), w.Steps[0]);
        Assert.Equal(new TouchStep(4, "burst"), w.Steps[1]);
        Assert.Equal(new SleepStep(5, 2500), w.Steps[2]);        // 10 s at HZ=250
        Assert.Equal(new FreeStep(6, "burst", null), w.Steps[3]);
        Assert.Equal(new SleepStep(7, 125), w.Steps[4]);          // 500 ms
        Assert.Equal(w.Steps[0], w.Steps[5]);
        Assert.Equal(new AllocStep(9, "alloc1", 64L << 10, 0), w.Steps[15]);
        Assert.Equal(new FreeStep(10, "alloc1", 8192), w.Steps[16]);
        Assert.Equal(3 * (2500 + 125), w.SleepJiffies);
    }

    [Theory]
    [InlineData("1s", 250)]
    [InlineData("1ms", 1)]     // rounded up to a whole jiffy
    [InlineData("4ms", 1)]
    [InlineData("5ms", 2)]
    [InlineData("2min", 30000)]
    [InlineData("7j", 7)]
    [InlineData("0s", 0)]
    public void Durations_are_jiffies_at_HZ_250(string word, long jiffies)
    {
        Assert.Equal(jiffies, WorkloadParser.Duration(1, word));
    }

    [Theory]
    [InlineData("alocate 5M", "line 1: unknown step 'alocate' (steps: alloc, touch, free, sleep, hold, repeat, end)")]
    [InlineData("alloc", "line 1: 'alloc' needs a size, e.g. 'alloc 512M'")]
    [InlineData("alloc 5X", "line 1: size '5X' is not a positive whole number of bytes, K, M or G")]
    [InlineData("alloc 3M as 2M", "line 1: 3M is not a whole number of 2 MiB huge pages")]
    [InlineData("alloc 6K", "line 1: 6K is not a whole number of 4 KiB pages")]
    [InlineData("alloc 4M as 1G", "line 1: page size '1G' is not 4K or 2M")]
    [InlineData("alloc 4M colour red", "line 1: unknown option 'colour' of alloc (options: as, name)")]
    [InlineData("alloc 4M name", "line 1: 'name' needs a value")]
    [InlineData("alloc 4M name all", "line 1: 'all' cannot name a set ('all' and alloc1, alloc2, ... are taken)")]
    [InlineData("alloc 4M name alloc7", "line 1: 'alloc7' cannot name a set ('all' and alloc1, alloc2, ... are taken)")]
    [InlineData("touch cache", "line 1: no set named 'cache' was allocated before this line")]
    [InlineData("sleep 10", "line 1: duration '10' is not a whole number with a unit: ms, s, min or j (jiffies)")]
    [InlineData("sleep", "line 1: 'sleep' takes 1 value, found 0")]
    [InlineData("free all 4M extra", "line 1: 'free' takes 0 to 2 values, found 3")]
    [InlineData("repeat 0\nend", "line 1: repeat count '0' is not a whole number of at least 1")]
    [InlineData("alloc 4M\nrepeat 2\nfree all", "line 2: 'repeat' without an 'end'")]
    [InlineData("end", "line 1: 'end' without a 'repeat'")]
    [InlineData("# nothing\n\n", "workload 'w' has no steps")]
    [InlineData("repeat 1000\nrepeat 1001\nsleep 1s\nend\nend", "line 1: the repeat unrolls to more than 1,000,000 steps")]
    public void A_mistake_is_refused_with_its_line_and_the_problem(string text, string message)
    {
        var e = Assert.Throws<WorkloadException>(() => WorkloadParser.Parse("w", text));
        Assert.Equal(message, e.Message);
    }
}

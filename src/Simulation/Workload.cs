namespace Simulation;

/// <summary>
/// What a simulated guest does, step by step, on the virtual clock (HZ = 250: Kernel.VirtualClock).
/// A workload is a list of steps; `repeat` blocks are unrolled by the parser, so a run is a flat
/// sequence. Memory is named: each allocation makes a named set of pages (its own name, or
/// "alloc1", "alloc2", ... in order), and touch and free name a set or all of them.
/// </summary>
public abstract record WorkloadStep(int Line);

/// <summary>Allocate Bytes of memory as pages of PageOrder (0: 4 KiB pages; 9: 2 MiB huge pages) into the named set.</summary>
public sealed record AllocStep(int Line, string Set, long Bytes, int PageOrder) : WorkloadStep(Line);

/// <summary>The guest writes every page of the named set (null: every set), faulting in any page whose backing the host dropped.</summary>
public sealed record TouchStep(int Line, string? Set) : WorkloadStep(Line);

/// <summary>Free the named set (null: every set); Bytes: only that much of it, its last pages first (null: all of it).</summary>
public sealed record FreeStep(int Line, string? Set, long? Bytes) : WorkloadStep(Line);

/// <summary>Let Jiffies pass with the guest idle: the design's worker, the device and the host run.</summary>
public sealed record SleepStep(int Line, long Jiffies) : WorkloadStep(Line);

/// <summary>A parsed workload: its name (the file's or a named workload's) and its steps, repeats unrolled.</summary>
public sealed record Workload(string Name, IReadOnlyList<WorkloadStep> Steps)
{
    /// <summary>The virtual time the steps ask for (the sleeps), in jiffies.</summary>
    public long SleepJiffies => Steps.OfType<SleepStep>().Sum(s => s.Jiffies);
}

namespace Simulation;

/// <summary>The workloads `simulate` and `compare` ship with, by name, each in the workload format (WorkloadParser).</summary>
public static class NamedWorkloads
{
    /// <summary>The workload `simulate` runs when none is given.</summary>
    public const string Default = "burst";

    /// <summary>name, the guest it is meant for (MiB), a line saying what it does, and its text.</summary>
    public static IReadOnlyList<(string Name, long GuestMiB, string What, string Text)> All { get; } =
    [
        ("burst", 1024, "512 MiB of 4 KiB pages allocated, touched and freed, then a minute idle; twice",
            """
            repeat 2
              alloc 512M name burst
              touch burst
              free burst
              sleep 60s
            end
            """),
        ("huge-burst", 1024, "the same burst in 2 MiB huge pages",
            """
            repeat 2
              alloc 512M as 2M name burst
              touch burst
              free burst
              sleep 60s
            end
            """),
        ("small-frees", 1024, "256 MiB of 4 KiB pages touched, then freed 4 MiB at a time every 100 ms, then idle",
            """
            alloc 256M name cache
            touch cache
            repeat 64
              free cache 4M
              sleep 100ms
            end
            sleep 60s
            """),
        ("big-burst", 4096, "a 3 GiB burst on a 4 GiB guest, then a minute idle",
            """
            alloc 3G name burst
            touch burst
            free burst
            sleep 60s
            """),
    ];

    /// <summary>The parsed workload of this name, or null when there is none.</summary>
    public static Workload? Named(string name)
    {
        foreach (var w in All)
            if (w.Name == name)
                return WorkloadParser.Parse(w.Name, w.Text);
        return null;
    }
}

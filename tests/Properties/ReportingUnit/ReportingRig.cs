using BuddyModel;
using Kernel;
using Reporting;

namespace Properties.ReportingUnit;

/// <summary>A report device the test drives: it records each scatterlist and completes when told, with a chosen error.</summary>
internal sealed class TestDevice : IPageReportingDevice
{
    private bool _out;
    private bool _acked;
    private int _err;

    public List<ScatterEntry[]> Reports { get; } = new();

    /// <summary>Error report() returns immediately (nothing submitted).</summary>
    public int StartError { get; set; }

    public int Start(IReadOnlyList<ScatterEntry> sg)
    {
        if (StartError != 0)
            return StartError;
        Reports.Add(sg.ToArray());
        _out = true;
        _acked = false;
        return 0;
    }

    public bool Completed(out int err)
    {
        err = _err;
        return !_out || _acked;
    }

    /// <summary>The device returns the buffer; report() will return err.</summary>
    public void Ack(int err = 0)
    {
        _acked = true;
        _err = err;
    }
}

/// <summary>
/// One zone (MAX_ORDER 5: orders 0..4, pageblock_order 2, so the 5.7 reporting order is 2;
/// min watermark 8, low 10) with the reporting core, its worker and a TestDevice. The zone starts
/// as boot left it: NrPages/16 free order-4 MOVABLE blocks. Nothing runs unless a test says so.
/// </summary>
internal sealed class ReportingRig
{
    public ReportingRig(ReportingVersion version, int nrPages = 1024, int driverOrder = 0)
    {
        Config = new ZoneConfig { NrPages = nrPages, MaxOrder = 5, PageblockOrder = 2, MinWatermarkPages = 8 };
        Zone = new Zone(Config, version.Era);
        Clock = new VirtualClock();
        Reporting = new PageReporting([Zone], version, Clock);
        Worker = new ReportingWorker(Reporting);
        Device = new TestDevice();
        Dev = new PageReportingDevInfo(Device, driverOrder);
    }

    public ZoneConfig Config { get; }
    public Zone Zone { get; }
    public VirtualClock Clock { get; }
    public PageReporting Reporting { get; }
    public ReportingWorker Worker { get; }
    public TestDevice Device { get; }
    public PageReportingDevInfo Dev { get; }

    public ReportingState State => Dev.CurrentState;

    public ReportingRig Registered()
    {
        if (Reporting.Register(Dev) != 0)
            throw new InvalidOperationException("register failed");
        return this;
    }

    /// <summary>Let the delay pass and run the worker to its first report (or the end of the pass).</summary>
    public ReportingStep RunDue()
    {
        Clock.AdvanceTo(Dev.Work!.DueAt);
        return Worker.Step();
    }

    /// <summary>Acknowledge every report until the pass ends; returns the last step.</summary>
    public ReportingStep AckUntilPassEnds(int err = 0)
    {
        for (int i = 0; i < 1000; i++)
        {
            if (Worker.State == ReportingWorkerState.Idle)
                throw new InvalidOperationException("worker is idle");
            Device.Ack(err);
            var s = Worker.Step();
            if (s is ReportingStep.Finished or ReportingStep.Rescheduled)
                return s;
        }
        throw new InvalidOperationException("pass did not end");
    }

    /// <summary>The nodes of free_list[mt] of an order, head to tail.</summary>
    public List<int> List(int order, MigrateType mt = MigrateType.Movable)
    {
        var result = new List<int>();
        int head = Zone.ListHead(order, mt);
        for (int n = Zone.Lists.Next(head); n != head; n = Zone.Lists.Next(n))
            result.Add(n);
        return result;
    }

    public bool Reported(int pfn) => (Zone.Flags(pfn) & PageFlags.Reported) != 0;
}

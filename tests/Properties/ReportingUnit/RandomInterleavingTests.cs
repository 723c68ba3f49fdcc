using BuddyModel;
using Reporting;
using Specs.Buddy;
using Xunit;

namespace Properties.ReportingUnit;

/// <summary>
/// Seeded random interleavings of allocations, frees, pageblock isolation, parameter writes,
/// clock ticks, worker steps and device acknowledgements (errors included), for every version.
/// After every operation (zone->lock free): the buddy invariants hold (blocks in flight are
/// held, PageReported only on free heads); every reported block is one the device
/// acknowledged as reported; the worker's in-flight list is exactly the held blocks. At the
/// end, with acknowledgements only, the worker goes idle with nothing pending.
/// </summary>
public class RandomInterleavingTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var v in ReportingVersion.All)
            for (int seed = 1; seed <= 12; seed++)
                data.Add(v.Name, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Invariants_hold_under_random_interleavings(string version, int seed) => Run(version, seed);

    [Fact]
    public void The_interleavings_reach_reports_merges_on_drain_gate_skips_and_errors()
    {
        int reports = 0, marked = 0, merged = 0, gate = 0, errors = 0;
        foreach (var v in ReportingVersion.All)
            for (int seed = 1; seed <= 12; seed++)
            {
                var (e, errs) = Run(v.Name, seed);
                reports += e.Reports;
                marked += e.MarkedReported;
                merged += e.MergedOnDrain;
                gate += e.ZonesBelowGate;
                errors += errs;
            }
        Assert.True(reports > 100, $"reports {reports}");
        Assert.True(marked > 100, $"marked {marked}");
        Assert.True(merged > 0, $"merged on drain {merged}");
        Assert.True(gate > 0, $"zones below the gate {gate}");
        Assert.True(errors > 0, $"error acks {errors}");
        // Budget exhaustion is not reached here (a 512-frame zone has at most 32 blocks per list);
        // CycleTests covers it.
    }

    private static (ReportingEvents Events, int ErrorAcks) Run(string version, int seed)
    {
        int errorAcks = 0;
        var rng = new Random(seed);
        var rig = new ReportingRig(ReportingVersion.Named(version), nrPages: 512).Registered();
        var live = new List<(int Pfn, int Order)>();
        var acked = new HashSet<ScatterEntry>();
        for (int i = 0; i < 400; i++)
        {
            string op;
            switch (rng.Next(10))
            {
                case 0 or 1:
                    {
                        int order = rng.Next(5);
                        var mt = (MigrateType)rng.Next(MigrateTypes.PcpTypes);
                        int pfn = rig.Zone.Allocate(order, mt);
                        if (pfn >= 0)
                            live.Add((pfn, order));
                        op = $"alloc {order} {mt}";
                        break;
                    }
                case 2 or 3:
                    {
                        if (live.Count == 0)
                            goto default;
                        int k = rng.Next(live.Count);
                        var (pfn, order) = live[k];
                        live.RemoveAt(k);
                        rig.Zone.Free(pfn, order);
                        op = $"free {pfn} {order}";
                        break;
                    }
                case 4:
                    {
                        int pfn = rng.Next(512);
                        var mt = rng.Next(2) == 0 ? MigrateType.Isolate : MigrateType.Movable;
                        rig.Zone.SetPageblockMigratetype(pfn, mt);
                        op = $"pageblock {pfn} {mt}";
                        break;
                    }
                case 5:
                    rig.Reporting.SetReportingOrderParameter(rng.Next(-1, 7));
                    op = "param";
                    break;
                case 6:
                    rig.Clock.Advance(rng.Next(700));
                    op = "tick";
                    break;
                case 7:
                    {
                        int err = rng.Next(6) == 0 ? -5 : 0;
                        if (err == 0)
                            RecordAck(rig, acked);
                        else if (rig.Worker.InFlight.Count > 0)
                            errorAcks++;
                        rig.Device.Ack(err);
                        op = $"ack {err}";
                        break;
                    }
                default:
                    rig.Worker.Step();
                    op = "step";
                    break;
            }
            CheckAll(rig, acked, $"seed {seed} op {i} ({op})");
        }
        // Settle: acknowledge everything, let time pass.
        for (int i = 0; i < 10_000; i++)
        {
            if (rig.Worker.State is ReportingWorkerState.Reporting or ReportingWorkerState.ReportingLeftover)
            {
                RecordAck(rig, acked);
                rig.Device.Ack();
            }
            else if (rig.Dev.Work!.Pending)
            {
                rig.Clock.AdvanceTo(rig.Dev.Work.DueAt);
            }
            else
            {
                break;
            }
            rig.Worker.Step();
            CheckAll(rig, acked, $"seed {seed} settling step {i}");
        }
        Assert.Equal(ReportingWorkerState.Idle, rig.Worker.State);
        Assert.False(rig.Dev.Work!.Pending);
        Assert.Equal(ReportingState.Idle, rig.State);
        return (rig.Reporting.Events, errorAcks);
    }

    /// <summary>The device is about to acknowledge the report in flight (if any) as a success.</summary>
    private static void RecordAck(ReportingRig rig, HashSet<ScatterEntry> acked)
    {
        if (rig.Device.Reports.Count > 0 && rig.Worker.InFlight.Count > 0)
            foreach (var e in rig.Device.Reports[^1])
                acked.Add(e);
    }

    private static void CheckAll(ReportingRig rig, HashSet<ScatterEntry> acked, string where)
    {
        var zone = rig.Zone;
        Assert.False(System.Threading.Monitor.IsEntered(zone.Lock), where);
        var v = BuddyInvariants.CheckAll(zone);
        Assert.True(v is null, $"{where}: {v}");
        var inFlight = rig.Worker.InFlight.Select(e => e.Pfn).ToHashSet();
        for (int pfn = 0; pfn < zone.NrPages; pfn++)
        {
            var f = zone.Flags(pfn);
            if ((f & PageFlags.Reported) != 0)
                Assert.True(acked.Contains(new ScatterEntry(pfn, zone.PageOrder(pfn))), $"{where}: pfn {pfn} order {zone.PageOrder(pfn)} is PageReported but no acknowledged report held it");
            Assert.True(((f & PageFlags.Held) != 0) == inFlight.Contains(pfn), $"{where}: pfn {pfn} held {(f & PageFlags.Held) != 0}, in flight {inFlight.Contains(pfn)}");
        }
    }
}

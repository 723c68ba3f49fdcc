using BuddyModel;
using Harness;
using Harness.Operations;
using Xunit;
using Xunit.Abstractions;
namespace Properties.Oracle;
public sealed class TmpDebug(ITestOutputHelper output)
{
    [Fact]
    public void Dbg()
    {
        var c = new ZoneConfig { Name = "Small", NrPages = 256, MaxOrder = 6, PageblockOrder = 3, MinWatermarkPages = 4 };
        var sys = new BuddySystem(new Zone(c));
        Operation[] ops = [new AllocPages(0, MigrateType.Unmovable), new AllocPages(0, MigrateType.Reclaimable), new AllocPages(0, MigrateType.Movable), new SetPageblockMigratetype(52, MigrateType.Reclaimable)];
        foreach (var op in ops)
        {
            output.WriteLine(sys.Apply(op)!.Note);
            for (int o = 0; o < 3; o++)
                for (int m = 0; m < 3; m++)
                {
                    var z = sys.Zone; var l = new List<int>(); int h = z.ListHead(o, (MigrateType)m);
                    for (int n = z.Lists.Next(h); n != h; n = z.Lists.Next(n)) l.Add(n);
                    output.WriteLine($"  [{o}][{m}] model {string.Join(",", l)}  ref {string.Join(",", sys.Placement.List(o, (MigrateType)m))}");
                }
        }
    }
}

using BuddyModel;
using Harness;
using Xunit;

namespace Properties.Exhaust;

/// <summary>
/// CanonicalCoverage, rule by rule: a derived part is covered when what it adds is
/// configuration, a reference to another part, marked as no model state, or written by the
/// part itself; anything else is reported by field.
/// </summary>
public sealed class CanonicalCoverageTests
{
    private static readonly ZoneConfig Config = new() { NrPages = 16, MaxOrder = 3, PageblockOrder = 1 };

    private sealed class ConstantOnly(ZoneConfig c, int limit) : Zone(c)
    {
        private readonly int _limit = limit;

        public int Limit => _limit;
    }

    private sealed class Counting(ZoneConfig c) : Zone(c)
    {
        private int _calls;

        public int Calls() => ++_calls;
    }

    private sealed class CountingMarked(ZoneConfig c) : Zone(c)
    {
        [NotModelState("a count the test reads")]
        private int _frees;

        public int Frees => _frees;

        protected override void FreeOnePage(int pfn, int order, MigrateType mt, FreeFlags flags)
        {
            _frees++;
            base.FreeOnePage(pfn, order, mt, flags);
        }
    }

    private sealed class WithList(ZoneConfig c) : Zone(c)
    {
        private readonly List<int> _seen = new();

        public int Seen => _seen.Count;
    }

    [Fact]
    public void The_released_type_and_additions_that_hold_no_state_are_covered()
    {
        Assert.Null(CanonicalCoverage.Missing(new Zone(Config), typeof(Zone), "zone"));
        Assert.Null(CanonicalCoverage.Missing(new ConstantOnly(Config, 3), typeof(Zone), "zone"));
        Assert.Null(CanonicalCoverage.Missing(new CountingMarked(Config), typeof(Zone), "zone"));
    }

    [Fact]
    public void A_mutable_field_or_a_collection_is_reported_by_name()
    {
        Assert.Equal("the zone (Counting) keeps field '_calls', which the canonical form of Zone does not write",
            CanonicalCoverage.Missing(new Counting(Config), typeof(Zone), "zone"));
        Assert.Equal("the zone (WithList) keeps field '_seen', which the canonical form of Zone does not write",
            CanonicalCoverage.Missing(new WithList(Config), typeof(Zone), "zone"));
        Assert.Equal("the zone (Zone) is not a String", CanonicalCoverage.Missing(new Zone(Config), typeof(string), "zone"));
    }

    [Fact]
    public void A_broken_host_with_deferred_work_is_covered_because_it_writes_that_work()
    {
        var make = Aeration.BrokenAeratorTests.Maker(nameof(Aeration.HostDropsAfterAck));
        var system = make(new Scenario(new ZoneConfig { NrPages = 64, MaxOrder = 4, PageblockOrder = 2, MinWatermarkPages = 2 }, []));
        Assert.Null(system.CanonicalStateMissing);
    }
}

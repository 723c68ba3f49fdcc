using Checks.Exhaust;
using Xunit;

namespace Properties.Exhaust;

/// <summary>The verdicts of a minimum search, and which pinned verdict a result meets.</summary>
public sealed class MinimumResultTests
{
    private static MinimumResult R(int length, int? minimum, int cleared) => new(length, minimum, cleared, 0, TimeSpan.Zero, null, null);

    [Fact]
    public void Verdicts_say_minimal_shorter_bounded_or_absent()
    {
        Assert.Equal("= 4", R(4, 4, 3).Verdict);
        Assert.Equal("= 4", R(4, null, 3).Verdict);   // every path of 3 checked: the given 4 is minimal
        Assert.Equal("2 < 4", R(4, 2, 1).Verdict);
        Assert.Equal("≥ 3", R(4, null, 2).Verdict);
        Assert.Equal("none in 4", R(4, null, 4).Verdict);
        Assert.True(R(4, null, 3).LengthIsMinimal);
        Assert.False(R(4, 2, 1).LengthIsMinimal);
        Assert.False(R(4, null, 4).LengthIsMinimal);
    }

    [Fact]
    public void A_larger_bound_may_strengthen_a_pinned_lower_bound_but_not_weaken_it()
    {
        Assert.True(R(6, null, 3).AtLeast("≥ 2"));
        Assert.True(R(6, null, 5).AtLeast("≥ 2"));
        Assert.True(R(6, 6, 5).AtLeast("≥ 2"));
        Assert.False(R(6, null, 0).AtLeast("≥ 2"));
        Assert.False(R(6, 3, 2).AtLeast("≥ 2"));
        Assert.True(R(2, 2, 1).AtLeast("= 2"));
        Assert.False(R(2, 1, 0).AtLeast("= 2"));
    }
}

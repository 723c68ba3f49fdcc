using Aeration.Virtio;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>
/// HintingDriver.MayStart: v1 (patch 6/6) starts the aerator whenever F_HINTING was negotiated;
/// the 5.7 virtballoon_validate() refuses when the guest poisons pages and the device cannot keep
/// poison_val.
/// </summary>
public class MayStartTests
{
    private const ulong Poison = 0xaaaaaaaa_aaaaaaaaUL;

    private static bool MayStart(bool hinting, bool pagePoison, uint poisonVal, bool poisoning, bool validate) =>
        new HintingDriver(new Virtqueue("hinting_vq", 8), new BalloonFeatures { Hinting = hinting, PagePoison = pagePoison, PoisonVal = poisonVal })
            .MayStart(poisoning, Poison, validate);

    [Theory]
    [InlineData(false, 0u, false)]
    [InlineData(false, 0u, true)]
    [InlineData(true, 0x12u, true)]
    [InlineData(true, 0xaaaaaaaau, true)]
    public void V1_starts_whenever_F_HINTING_is_negotiated(bool pagePoison, uint poisonVal, bool poisoning)
    {
        Assert.True(MayStart(true, pagePoison, poisonVal, poisoning, validate: false));
        Assert.False(MayStart(false, pagePoison, poisonVal, poisoning, validate: false));
    }

    [Theory]
    [InlineData(false, false, 0u, true)]          // no poisoning: nothing to keep
    [InlineData(true, false, 0u, false)]          // poisoning without PAGE_POISON
    [InlineData(true, true, 0x12u, false)]        // PAGE_POISON with another poison_val
    [InlineData(true, true, 0xaaaaaaaau, true)]   // PAGE_POISON with the guest's value
    public void With_validation_poisoning_needs_PAGE_POISON_with_the_same_poison_val(bool poisoning, bool pagePoison, uint poisonVal, bool expected)
    {
        Assert.Equal(expected, MayStart(true, pagePoison, poisonVal, poisoning, validate: true));
        Assert.False(MayStart(false, pagePoison, poisonVal, poisoning, validate: true));
    }
}

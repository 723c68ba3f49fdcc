using Aeration;
using Aeration.Virtio;
using BuddyModel;
using Xunit;

namespace Properties.AerationUnit;

/// <summary>hinting_vq (split virtqueue), the v1 driver's hint encoding, and the host side.</summary>
public class VirtioTests
{
    [Fact]
    public void Outbuf_round_trip_add_kick_pop_avail_push_used_get_buf()
    {
        var vq = new Virtqueue("hinting_vq", 4);
        vq.MapDriverMemory(0x1000, new ulong[] { 1, 2 });
        var token = new object();

        Assert.Equal(0, vq.AddOutbuf(0x1000, 16, token));
        Assert.Equal(3, vq.NumFree);
        Assert.True(vq.HasAvail);
        Assert.Equal(0, vq.Kicks);
        vq.Kick();
        Assert.Equal(1, vq.Kicks);
        Assert.Null(vq.GetBuf(out _)); // nothing used yet

        var (head, desc) = vq.PopAvail()!.Value;
        Assert.Equal(0, head);
        Assert.Equal(new VringDesc(0x1000, 16, 0, 0), desc);
        Assert.False(vq.HasAvail);
        Assert.Null(vq.PopAvail());
        Assert.Equal(new ulong[] { 1, 2 }, vq.ReadDriverMemory(desc.Addr));
        vq.PushUsed(head, 0);
        Assert.True(vq.HasUsed);

        Assert.Same(token, vq.GetBuf(out uint len));
        Assert.Equal(0u, len);
        Assert.Equal(4, vq.NumFree);
        Assert.False(vq.HasUsed);
        Assert.Null(vq.GetBuf(out _));
    }

    [Fact]
    public void AddOutbuf_returns_ENOSPC_when_every_descriptor_is_in_flight_and_used_ones_are_reused()
    {
        var vq = new Virtqueue("hinting_vq", 2);
        object t0 = new(), t1 = new(), t2 = new();
        Assert.Equal(0, vq.AddOutbuf(0x1000, 8, t0));
        Assert.Equal(1, vq.AddOutbuf(0x2000, 8, t1));
        Assert.Equal(0, vq.NumFree);
        Assert.Equal(-28, vq.AddOutbuf(0x3000, 8, t2)); // -ENOSPC
        Assert.Equal(0, vq.NumFree);

        var a = vq.PopAvail()!.Value;
        var b = vq.PopAvail()!.Value;
        Assert.Equal((0, 1), ((int)a.Head, (int)b.Head));
        vq.PushUsed(b.Head, 0); // the device may complete out of order
        vq.PushUsed(a.Head, 0);
        Assert.Same(t1, vq.GetBuf(out _));
        Assert.Equal(1, vq.NumFree);
        Assert.Same(t0, vq.GetBuf(out _));
        Assert.Equal(2, vq.NumFree);
        Assert.Equal(0, vq.AddOutbuf(0x3000, 8, t2)); // the last freed descriptor heads the free list
    }

    [Theory]
    [InlineData(0, 0, 0x0UL)]
    [InlineData(1, 0, 0x1000UL)]
    [InlineData(16, 4, 0x10004UL)]
    [InlineData(112, 4, 0x70004UL)]
    [InlineData(0x12340, 4, 0x12340004UL)]
    [InlineData(512, 9, 0x200009UL)]
    public void Encode_is_the_physical_address_with_the_order_in_the_low_bits(int pfn, int order, ulong expected)
    {
        Assert.Equal(expected, HintingDriver.Encode(pfn, order));
        Assert.Equal(((ulong)pfn << 12) | (uint)order, HintingDriver.Encode(pfn, order));
    }

    private static AerationRig RigWithTags(BalloonFeatures? features = null)
    {
        var rig = new AerationRig(nrPages: 128, capacity: 4, features: features);
        for (int p = 0; p < 128; p++)
            rig.Memory.Write(p, 0x1000UL + (ulong)p);
        return rig;
    }

    [Fact]
    public void Host_decodes_the_hints_drops_each_range_and_returns_the_buffer()
    {
        var rig = RigWithTags();
        rig.Driver.Submit(new[] { new BatchEntry(rig.Az, 16, 4, MigrateType.Movable), new BatchEntry(rig.Az, 4, 2, MigrateType.Movable) });
        Assert.Equal(new ulong[] { 0x10004, 0x4002 }, rig.Hints(2));
        Assert.Equal(1, rig.Queue.Kicks);
        Assert.False(rig.Driver.Acknowledged());

        Assert.True(rig.Host.Step());

        Assert.Equal(new[] { new AppliedHint(16, 4), new AppliedHint(4, 2) }, rig.Host.Applied);
        Assert.Empty(rig.Host.Rejected);
        for (int p = 0; p < 128; p++)
        {
            bool hinted = p is >= 16 and < 32 or >= 4 and < 8;
            Assert.Equal(hinted, rig.Memory.Dropped(p));
            Assert.Equal(hinted ? 0UL : 0x1000UL + (ulong)p, rig.Memory.Read(p));
        }
        Assert.Equal(20, rig.Memory.FramesDropped);
        Assert.True(rig.Driver.Acknowledged());
        Assert.Equal(16, rig.Queue.NumFree);
        Assert.False(rig.Host.Step());
    }

    [Fact]
    public void With_PAGE_POISON_dropped_frames_read_poison_val_replicated()
    {
        var rig = RigWithTags(new BalloonFeatures { PagePoison = true, PoisonVal = 0xaaaaaaaa });
        Assert.Equal(0xaaaaaaaa_aaaaaaaaUL, rig.Host.DropFill);
        rig.Driver.Submit(new[] { new BatchEntry(rig.Az, 8, 3, MigrateType.Movable) });
        rig.Host.Step();
        Assert.All(Enumerable.Range(8, 8), p => Assert.Equal(0xaaaaaaaa_aaaaaaaaUL, rig.Memory.Read(p)));
        Assert.Equal(0x1000UL + 7, rig.Memory.Read(7));
        Assert.Equal(0x1000UL + 16, rig.Memory.Read(16));

        var other = RigWithTags(new BalloonFeatures { PagePoison = true, PoisonVal = 0x12 });
        Assert.Equal(0x00000012_00000012UL, other.Host.DropFill);
    }

    [Theory]
    [InlineData(2, 2, "not aligned")]            // pfn 2 for an order-2 block
    [InlineData(8, 4, "not aligned")]
    [InlineData(128, 0, "beyond guest memory")] // 128 pages: pfn 128 is past the end
    [InlineData(0, 8, "beyond guest memory")]   // 256 pages from pfn 0
    [InlineData(120, 3, "")]                     // control: the last order-3 block is fine
    public void Malformed_hint_is_refused_reported_and_never_applied(int pfn, int order, string reason)
    {
        var rig = RigWithTags();
        var words = new ulong[] { HintingDriver.Encode(pfn, order) };
        rig.Queue.MapDriverMemory(0x2000, words);
        var token = new object();
        Assert.True(rig.Queue.AddOutbuf(0x2000, 8, token) >= 0);

        Assert.True(rig.Host.Step());

        if (reason.Length == 0)
        {
            Assert.Empty(rig.Host.Rejected);
            Assert.Equal(new[] { new AppliedHint(pfn, order) }, rig.Host.Applied);
        }
        else
        {
            Assert.Contains(reason, Assert.Single(rig.Host.Rejected));
            Assert.Empty(rig.Host.Applied);
            Assert.Equal(0, rig.Memory.FramesDropped);
            Assert.All(Enumerable.Range(0, 128), p => Assert.Equal(0x1000UL + (ulong)p, rig.Memory.Read(p)));
        }
        Assert.Same(token, rig.Queue.GetBuf(out _)); // the buffer is returned either way
    }

    [Fact]
    public void Hint_with_an_order_too_large_is_refused_while_valid_hints_in_the_same_buffer_apply()
    {
        var rig = RigWithTags();
        var words = new ulong[] { (16UL << 12) | 41, HintingDriver.Encode(3, 1), HintingDriver.Encode(32, 3) };
        rig.Queue.MapDriverMemory(0x2000, words);
        rig.Queue.AddOutbuf(0x2000, 24, "buf");

        rig.Host.Step();

        Assert.Equal(2, rig.Host.Rejected.Count);
        Assert.Contains("order 41 is not a block order", rig.Host.Rejected[0]);
        Assert.Contains("not aligned", rig.Host.Rejected[1]);
        Assert.Equal(new[] { new AppliedHint(32, 3) }, rig.Host.Applied);
        Assert.Equal(8, rig.Memory.FramesDropped);
        Assert.Equal(0x1000UL + 16, rig.Memory.Read(16));
        Assert.Equal(0x1000UL + 3, rig.Memory.Read(3));
    }

    [Fact]
    public void Device_writable_buffer_is_refused_and_nothing_is_dropped()
    {
        var rig = RigWithTags();
        rig.Queue.MapDriverMemory(0x2000, new[] { HintingDriver.Encode(0, 4) });

        var hints = rig.Host.DecodeFor(new VringDesc(0x2000, 8, VringDesc.FWrite, 0));

        Assert.Empty(hints);
        Assert.Contains("device-writable", Assert.Single(rig.Host.Rejected));
        Assert.Equal(0, rig.Memory.FramesDropped);
    }

    [Fact]
    public void Buffer_that_is_not_an_array_of_hints_in_mapped_memory_is_refused()
    {
        var rig = RigWithTags();
        rig.Queue.MapDriverMemory(0x2000, new[] { HintingDriver.Encode(0, 4) });
        Assert.Empty(rig.Host.DecodeFor(new VringDesc(0x9000, 8, 0, 0)));  // unmapped
        Assert.Empty(rig.Host.DecodeFor(new VringDesc(0x2000, 12, 0, 0))); // not a multiple of 8 bytes
        Assert.Empty(rig.Host.DecodeFor(new VringDesc(0x2000, 16, 0, 0))); // longer than the array
        Assert.Equal(3, rig.Host.Rejected.Count);
        Assert.Equal(0, rig.Memory.FramesDropped);
    }
}

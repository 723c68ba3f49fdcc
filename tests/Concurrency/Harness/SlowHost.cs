using Aeration.Virtio;

namespace Concurrency.Harness;

/// <summary>
/// A hinting device that completes late, or never: it lets LateBy of its own polls pass before
/// it takes an available buffer, and with Never it never takes one (a device that died with the
/// buffer in flight). Scenario 4.
/// </summary>
public sealed class SlowHost(Virtqueue vq, GuestMemory memory, BalloonFeatures negotiated, int lateBy, bool never)
    : HintingHost(vq, memory, negotiated)
{
    private int _polls;

    /// <summary>Polls the device ignored so far.</summary>
    public int Polls => _polls;

    public override bool HasWork => !never && base.HasWork;

    public override bool Step()
    {
        if (never || !base.HasWork)
            return false;
        if (_polls++ < lateBy)
            return false;
        _polls = 0;
        return base.Step();
    }
}

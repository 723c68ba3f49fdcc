namespace Kernel;

/// <summary>
/// jiffies on a virtual clock: time moves only when a harness or test advances it, so that a
/// delayed work's due time is an exact number. HZ is 250 (a common x86 CONFIG_HZ), so the merged
/// design's PAGE_REPORTING_DELAY of 2 * HZ is 500 jiffies.
/// Model simplification: one clock for the whole machine, no timer wheel slack (a timer fires
/// exactly at its due jiffy, not up to a wheel granule later), no jiffies wrap-around.
/// Canonical state (exhaustive exploration): none of its own. Absolute jiffies grow without
/// bound and nothing depends on them but through a difference to a due time, which the delayed
/// work holding that due time writes (DelayedWork.WriteCanonicalState: jiffies until due, at
/// most the delay it was scheduled with).
/// </summary>
public sealed class VirtualClock
{
    /// <summary>CONFIG_HZ of the model.</summary>
    public const int Hz = 250;

    private long _jiffies;

    /// <summary>jiffies now.</summary>
    public long Jiffies => Volatile.Read(ref _jiffies);

    /// <summary>Jiffies as a plain read: not a scheduling point under Coyote. For reachability counts only.</summary>
    public long Peek => _jiffies;

    /// <summary>Advance the clock by delta jiffies (delta >= 0).</summary>
    public void Advance(long delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delta);
        Interlocked.Add(ref _jiffies, delta);
    }

    /// <summary>Advance the clock to a given jiffy, if it is not already past it.</summary>
    public void AdvanceTo(long jiffies)
    {
        long now = Jiffies;
        if (jiffies > now)
            Advance(jiffies - now);
    }
}

namespace BuddyModel;

/// <summary>The zone's canonical state, for exhaustive exploration (ICanonicalStateSink).</summary>
public partial class Zone
{
    /// <summary>
    /// Writes everything of the zone that a later operation or an invariant can observe:
    /// every block head's flags, order and list migratetype (the allocation type of an allocated
    /// head), every pageblock's migratetype, every free list in order head to tail (which block
    /// the next allocation takes, and where a tail insertion lands), nr_free per order,
    /// NR_FREE_PAGES, the isolated-pageblock count, the shuffle generator's position (the
    /// number of bits drawn: the generator is seeded, so that number is its state) and each
    /// isolation walk under way. Dropped, because no operation or invariant reads them: the
    /// reachability counters (Reach), the observer (its references agree with the zone while no
    /// invariant failed: they are compared after every step) and the configuration, which is
    /// the same in every state of one exploration.
    /// </summary>
    public void WriteCanonicalState(ICanonicalStateSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        // The order and type of a frame that is no block's head (flags None) are stale values no
        // operation reads: they are written as 0, so that they do not split equal states.
        for (int i = 0; i < NrPages; i++)
            sink.Add(_flags[i] == PageFlags.None ? 0 : (long)_flags[i] | ((long)_order[i] << 8) | ((long)_listMt[i] << 16));
        foreach (var mt in _pageblockMt)
            sink.Add((long)mt);
        for (int order = 0; order < MaxOrder; order++)
        {
            sink.Add(_nrFree[order]);
            for (int mt = 0; mt < MigrateTypes.Count; mt++)
            {
                int head = HeadOf(order, (MigrateType)mt);
                for (int n = Lists.Next(head); n != head; n = Lists.Next(n))
                    sink.Add(n);
                sink.Add(-1); // end of this list
            }
        }
        sink.Add(NrFreePages);
        sink.Add(NrIsolatePageblock);
        sink.Add(_shuffleDraws);
        sink.Add(_walks.Count);
        foreach (var w in _walks)
            w.WriteCanonicalState(sink);
    }
}

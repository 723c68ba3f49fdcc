namespace Simulation;

/// <summary>
/// One zone of a real-size guest as the kernel counts it: the frames it spans
/// (zone_start_pfn .. zone_end_pfn - 1), the frames of those that are RAM (present_pages: the
/// spanned range minus firmware holes and the PCI hole) and the frames the buddy allocator
/// manages (managed_pages: present minus what boot reserved).
/// </summary>
public sealed record GuestZone(string Name, long StartPfn, long SpannedPages, long PresentPages, long ManagedPages)
{
    /// <summary>zone_end_pfn().</summary>
    public long EndPfn => StartPfn + SpannedPages;
}

namespace BuddyModel;

/// <summary>
/// The page flags the model keeps per page frame. Buddy, Aerated and Reported are the kernel's
/// (PG_buddy as a page type, PG_aerated of the v1 series, PG_reported of 5.7+). Allocated and
/// Held are model bookkeeping with no kernel flag: they let the model refuse misuse (double free,
/// freeing a block that is not allocated) with a clear error instead of corrupting itself.
/// Only the head page of a block carries flags; tail pages carry none.
/// </summary>
[Flags]
public enum PageFlags : byte
{
    None = 0,
    /// <summary>PageBuddy: head of a free block sitting on a free list; PageOrder is valid.</summary>
    Buddy = 1 << 0,
    /// <summary>PageAerated (v1): this free block was hinted to the host. Set only by a hinting design.</summary>
    Aerated = 1 << 1,
    /// <summary>PageReported (5.7+): this free block was reported to the host. Set only by a hinting design.</summary>
    Reported = 1 << 2,
    /// <summary>Model bookkeeping: head of a block handed out by the allocator.</summary>
    Allocated = 1 << 3,
    /// <summary>Model bookkeeping: head of a free block taken off its list by __isolate_free_page or a hinting design.</summary>
    Held = 1 << 4,
}

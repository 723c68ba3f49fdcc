namespace BuddyModel;

/// <summary>
/// Misuse of the model: the kernel's bad_page() and VM_BUG_ON checks, raised as an error that
/// names the pfn and the reason instead of corrupting the free lists.
/// </summary>
public sealed class BadPageException : InvalidOperationException
{
    public BadPageException(long pfn, string reason)
        : base($"bad page: pfn {pfn}: {reason}")
    {
        Pfn = pfn;
        Reason = reason;
    }

    /// <summary>The page frame the misuse is about (-1 when the call names no page).</summary>
    public long Pfn { get; }

    /// <summary>What was wrong, in the model's terms.</summary>
    public string Reason { get; }
}

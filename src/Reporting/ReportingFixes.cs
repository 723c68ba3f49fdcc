using BuddyModel;

namespace Reporting;

/// <summary>
/// The changes made to the merged design after 5.7, one flag per row of the history
/// (docs/reporting-facts.md, DOMAIN.md section 8). Each is switchable off alone, so that a test
/// can show the flaw the change fixed coming back.
/// </summary>
[Flags]
public enum ReportingFixes
{
    None = 0,
    /// <summary>5.7 stable: virtballoon_validate drops F_REPORTING when the guest poisons (or inits) free pages and PAGE_POISON is not negotiated.</summary>
    PoisonValidate = 1 << 0,
    /// <summary>5.10: __putback_isolated_page with FPI_TO_TAIL, move_to_free_list to the tail (the zone's era becomes 5.10).</summary>
    PutbackToTail = 1 << 1,
    /// <summary>5.14: the page_reporting_order module parameter and the driver's prdev->order replace PAGE_REPORTING_MIN_ORDER.</summary>
    ReportingOrderParam = 1 << 2,
    /// <summary>2022: the parameter is validated (0..MAX_ORDER-1), -1 means unset, and a boot/sysfs value wins over the driver's.</summary>
    OrderValidated = 1 << 3,
    /// <summary>2023: MAX_ORDER inclusive; register's bound on the driver's order no longer admits a free_area that does not exist.</summary>
    InclusiveMaxOrder = 1 << 4,
    /// <summary>2025 (virtio-ccw): the used-buffer notification is delivered also for a dense queue layout.</summary>
    UsedNotifyDense = 1 << 5,
    /// <summary>2026: the reporting work is queued on system_freezable_wq.</summary>
    FreezableWork = 1 << 6,
    /// <summary>2026: a driver may ask for order 0; -1 (PAGE_REPORTING_ORDER_UNSPECIFIED) means "no preference".</summary>
    OrderZeroAllowed = 1 << 7,
    All = PoisonValidate | PutbackToTail | ReportingOrderParam | OrderValidated | InclusiveMaxOrder | UsedNotifyDense | FreezableWork | OrderZeroAllowed,
}

/// <summary>
/// A named version of the merged design: a set of fixes, and from it the allocator era its
/// zones run (5.7 without PutbackToTail, 5.10 with it).
/// </summary>
public sealed record ReportingVersion(string Name, ReportingFixes Fixes)
{
    /// <summary>
    /// The newest allocator era the version's zones run when PutbackToTail is in (5.10 for the
    /// named 5.x versions; 6.10 for mainline: pageblock-granular isolation that splits under
    /// zone->lock, and the split free of a block over pageblocks of different types).
    /// </summary>
    public KernelEra AllocatorEra { get; init; } = KernelEra.V5_10;

    /// <summary>Linux 5.7 as released: the design as merged (v17 of the series), no later fix.</summary>
    public static readonly ReportingVersion V5_7 = new("reporting-5.7", ReportingFixes.None);

    /// <summary>Linux 5.10: the 5.7 stable poison validation and the tail put-back.</summary>
    public static readonly ReportingVersion V5_10 = new("reporting-5.10", ReportingFixes.PoisonValidate | ReportingFixes.PutbackToTail);

    /// <summary>Linux 5.14: adds the page_reporting_order parameter.</summary>
    public static readonly ReportingVersion V5_14 = new("reporting-5.14", V5_10.Fixes | ReportingFixes.ReportingOrderParam);

    /// <summary>Mainline today: every fix.</summary>
    public static readonly ReportingVersion Mainline = new("reporting", ReportingFixes.All) { AllocatorEra = KernelEra.V6_10 };

    /// <summary>The catalogue, oldest first.</summary>
    public static IReadOnlyList<ReportingVersion> All { get; } = [V5_7, V5_10, V5_14, Mainline];

    /// <summary>The version of this name, or an ArgumentException listing the names.</summary>
    public static ReportingVersion Named(string name) =>
        All.FirstOrDefault(v => v.Name == name)
        ?? throw new ArgumentException($"unknown reporting version '{name}' (known: {string.Join(", ", All.Select(v => v.Name))})", nameof(name));

    /// <summary>Whether a fix is in force.</summary>
    public bool Has(ReportingFixes fix) => (Fixes & fix) == fix;

    /// <summary>This version with one or more fixes switched off (the name says so).</summary>
    public ReportingVersion Without(ReportingFixes fix) => this with { Name = $"{Name}-no-{fix}", Fixes = Fixes & ~fix };

    /// <summary>The allocator era of the zones: AllocatorEra with PutbackToTail, else 5.7.</summary>
    public KernelEra Era => Has(ReportingFixes.PutbackToTail) ? AllocatorEra : KernelEra.V5_7;

    public override string ToString() => Name;
}

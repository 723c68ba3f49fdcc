namespace BuddyModel;

/// <summary>
/// enum migratetype (include/linux/mmzone.h). One free_list per value in every free_area.
/// Model simplification: MIGRATE_HIGHATOMIC and MIGRATE_CMA are not modelled (no highatomic
/// reserve, CONFIG_CMA off); the three per-cpu types and MIGRATE_ISOLATE are.
/// </summary>
public enum MigrateType : byte
{
    Unmovable = 0,
    Movable = 1,
    Reclaimable = 2,
    Isolate = 3,
}

/// <summary>Constants and the fallback table of mm/page_alloc.c.</summary>
public static class MigrateTypes
{
    /// <summary>MIGRATE_TYPES: the number of free lists per free_area.</summary>
    public const int Count = 4;

    /// <summary>MIGRATE_PCPTYPES: the types an allocation may ask for.</summary>
    public const int PcpTypes = 3;

    /// <summary>
    /// fallbacks[][]: the order in which __rmqueue_fallback tries other types
    /// (UNMOVABLE: RECLAIMABLE, MOVABLE; MOVABLE: RECLAIMABLE, UNMOVABLE;
    /// RECLAIMABLE: UNMOVABLE, MOVABLE).
    /// </summary>
    public static ReadOnlySpan<MigrateType> Fallbacks(MigrateType mt) => mt switch
    {
        MigrateType.Unmovable => [MigrateType.Reclaimable, MigrateType.Movable],
        MigrateType.Movable => [MigrateType.Reclaimable, MigrateType.Unmovable],
        MigrateType.Reclaimable => [MigrateType.Unmovable, MigrateType.Movable],
        _ => [],
    };

    /// <summary>The kernel's short name, as in /proc/pagetypeinfo.</summary>
    public static string Name(MigrateType mt) => mt switch
    {
        MigrateType.Unmovable => "Unmovable",
        MigrateType.Movable => "Movable",
        MigrateType.Reclaimable => "Reclaimable",
        MigrateType.Isolate => "Isolate",
        _ => $"mt{(int)mt}",
    };
}

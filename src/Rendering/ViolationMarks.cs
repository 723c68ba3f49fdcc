using Specs;
using BuddyModel;

namespace Rendering;

/// <summary>
/// Which blocks of a failed step a picture marks as violating: the violation's pfn when it
/// names one; otherwise, for a violation that names an order, the blocks it counted (for
/// Progress the raw blocks of that order on allocatable lists); otherwise none (a zone-wide
/// counter, drawn beside the counters instead).
/// </summary>
public static class ViolationMarks
{
    public static IReadOnlySet<int> Blocks(StepView step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var marks = new HashSet<int>();
        if (step.Violation is not { } v)
            return marks;
        if (v.Pfn is long pfn)
        {
            marks.Add((int)pfn);
            return marks;
        }
        if (v.Order is not int order)
            return marks;
        foreach (var list in step.State.Lists)
        {
            if (list.Order != order)
                continue;
            if (v.Migratetype is string mt && MigrateTypes.Name(list.Mt) != mt)
                continue;
            bool progress = v.Invariant == "Progress";
            foreach (var b in list.Blocks)
                if (!progress || (!b.Aerated && (int)list.Mt < MigrateTypes.PcpTypes))
                    marks.Add(b.Pfn);
        }
        return marks;
    }

    /// <summary>Migratetype initials as pageblock maps show them.</summary>
    public static char Initial(MigrateType mt) => mt switch
    {
        MigrateType.Unmovable => 'U',
        MigrateType.Movable => 'M',
        MigrateType.Reclaimable => 'R',
        MigrateType.Isolate => 'I',
        _ => '?',
    };
}

namespace Aeration;

/// <summary>Counters of events worth knowing a test reached (reachability facts). Not part of the design.</summary>
public sealed class AeratorEvents
{
    /// <summary>A block that was the boundary left its list and the boundary moved to the next node.</summary>
    public int BoundaryAdvancedOnDelete { get; set; }

    /// <summary>__aerator_notify ran while the worker was in a pass (a zone re-requested during a pass).</summary>
    public int RequestedDuringPass { get; set; }

    /// <summary>Batches the worker handed to the device.</summary>
    public int BatchesReacted { get; set; }

    /// <summary>Full passes of the worker over all zones.</summary>
    public int Passes { get; set; }
}

using Aeration;

namespace Specs.Aeration;

/// <summary>
/// Refcount accounting (DOMAIN 6.6): while the device is published, refcnt equals the number
/// of REQUESTED zones plus one while the worker runs; after shutdown returns, refcnt is 0, the
/// batch is empty and the device is unpublished.
/// </summary>
public sealed class RefcountAccounting : Invariant<IAerationSubject>
{
    public override string Name => "Refcount accounting";

    public override string Guarantee => "the worker stops exactly when no zone wants a pass, and shutdown's wait for refcnt 0 means the worker is gone";

    public override Violation? Check(IAerationSubject s)
    {
        var zoneName = s.Zone.Config.Name;
        int refcnt = s.Device.Refcnt.Read();
        int batch;
        batch = s.Device.Batch.Count;
        if (s.ShutDown)
        {
            if (s.Aerator.DevInfo != null)
                return new Violation(Name, zoneName, "a_dev_info NULL once aerator_shutdown returned", "the device still published");
            if (refcnt != 0 || batch != 0)
                return new Violation(Name, zoneName, "refcnt 0 and an empty batch once aerator_shutdown returned",
                    $"refcnt {refcnt}, {batch} blocks in the batch (worker {s.Worker.State})");
            return null;
        }
        if (s.Aerator.DevInfo is null || s.Worker.State == WorkerState.Crashed)
            return null;
        int requested = 0;
        var zones = s.Aerator.Zones;
        for (int i = 0; i < zones.Count; i++) // a loop, not LINQ: checked after every step
            if (zones[i].Flags.Test(ZoneFlag.AerationRequested))
                requested++;
        int expected = requested + (s.Worker.Running ? 1 : 0);
        if (refcnt != expected)
            return new Violation(Name, zoneName,
                $"refcnt = {requested} REQUESTED zone(s){(s.Worker.Running ? " + 1 for the running worker" : "")} = {expected}",
                $"refcnt {refcnt} (worker {s.Worker.State}, work {(s.Aerator.Work.Pending ? "pending" : "not pending")})");
        return null;
    }
}

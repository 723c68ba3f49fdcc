
namespace Specs.Aeration;

/// <summary>
/// Device lifetime (DOMAIN 6.6, "nothing ever uses it again"): no code path dereferenced
/// a_dev_info after shutdown cleared it, and no WARN_ON of the design fired.
/// </summary>
public sealed class DeviceLifetime : Invariant<IAerationSubject>
{
    public override string Name => "Device lifetime";

    public override string Guarantee => "the hinting device is never used after aerator_shutdown unpublished it, and the design's own WARN_ONs never fire";

    public override Violation? Check(IAerationSubject s)
    {
        var oopses = s.Aerator.Oopses;
        if (oopses.Count == 0)
            return null;
        return new Violation(Name, s.Zone.Config.Name, "no oops or WARN_ON", oopses[0]);
    }
}

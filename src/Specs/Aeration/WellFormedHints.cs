
namespace Specs.Aeration;

/// <summary>Well-formed hints: the host never had to refuse a hint (malformed, misaligned or out of range).</summary>
public sealed class WellFormedHints : Invariant<IAerationSubject>
{
    public override string Name => "Well-formed hints";

    public override string Guarantee => "every hint the driver sends names a whole, aligned block inside guest memory";

    public override Violation? Check(IAerationSubject s) =>
        s.Host.Rejected.Count == 0 ? null
        : new Violation(Name, s.Zone.Config.Name, "the host to accept every hint", $"it refused one: {s.Host.Rejected[0]}");
}

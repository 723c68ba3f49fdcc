namespace Specs;

/// <summary>
/// An invariant of the specification: a pure check over a subject that never changes it.
/// Named as a noun (tlaplus style), with one line saying what it guarantees.
/// </summary>
public abstract class Invariant<TSubject>
{
    /// <summary>The invariant's name, a noun phrase ("Exclusive location").</summary>
    public abstract string Name { get; }

    /// <summary>One line: what holding this invariant guarantees.</summary>
    public abstract string Guarantee { get; }

    /// <summary>The first violation found, or null when the invariant holds. Must not modify the subject.</summary>
    public abstract Violation? Check(TSubject subject);
}

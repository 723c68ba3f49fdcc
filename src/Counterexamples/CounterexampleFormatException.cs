using Specs;
namespace Counterexamples;

/// <summary>
/// A counterexample file that cannot be used. Field names the offending JSON field as a path
/// ("operations[3].order", "zone.maxOrder"; "$" for the document itself); the message starts
/// with it, so that a person sees at once what to fix.
/// </summary>
public sealed class CounterexampleFormatException : Exception
{
    public CounterexampleFormatException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>The JSON path of the offending field.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}

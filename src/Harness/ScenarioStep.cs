using Specs;

namespace Harness;

/// <summary>
/// One step of a scenario run as ScenarioRunner reports it to an observer: the step number (0
/// for the initial state, the log's length for the settle phase), the line that describes it,
/// the system after it (null when the system could not be built), and how it failed, if it did.
/// </summary>
public readonly record struct ScenarioStep(int Step, string Text, BuddySystem? System, Violation? Violation, string? Error);

using BuddyModel;
using Specs.Operations;

namespace Specs.Harness;

/// <summary>
/// Runs a scenario step by step and checks every invariant after every step. A model error
/// (BadPageException) on a generated operation is a failure too: the language only produces
/// valid calls, so a refusal means the model and the test disagree.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Run a scenario on a system made by the factory; stop at the first failure.</summary>
    public static RunReport Run<TSystem>(Scenario scenario, Func<ZoneConfig, TSystem> makeSystem)
        where TSystem : BuddySystem => Run(scenario, (Scenario s) => makeSystem(s.Config));

    /// <summary>Run a scenario on a system made from the whole scenario (aeration setups need more than the zone).</summary>
    public static RunReport Run<TSystem>(Scenario scenario, Func<Scenario, TSystem> makeSystem)
        where TSystem : BuddySystem
    {
        var log = new List<string>(scenario.Operations.Count);
        TSystem system;
        try
        {
            system = makeSystem(scenario);
        }
        catch (ArgumentException e)
        {
            return new RunReport(log, 0, null, $"bad configuration: {e.Message}");
        }
        var initial = system.CheckInvariants();
        if (initial != null)
            return new RunReport(log, 0, initial, null);
        for (int i = 0; i < scenario.Operations.Count; i++)
        {
            var op = scenario.Operations[i];
            StepOutcome? outcome;
            try
            {
                outcome = system.Apply(op);
            }
            catch (BadPageException e)
            {
                log.Add($"{op} -> model error");
                return new RunReport(log, i + 1, null, $"model refused {op}: {e.Message}");
            }
            if (outcome is null)
            {
                log.Add($"{op} -> unknown here");
                return new RunReport(log, i + 1, null, $"operation {op} is not supported by {system.GetType().Name}");
            }
            log.Add($"{op} -> {outcome.Note}");
            var violation = outcome.Violation ?? system.CheckInvariants();
            if (violation != null)
                return new RunReport(log, i + 1, violation, null);
        }
        // The end of the scenario: let the system settle (liveness checks live here).
        var final = system.Finish(log);
        if (final != null)
            return new RunReport(log, log.Count, final, null);
        return new RunReport(log, null, null, null);
    }

    /// <summary>Run a buddy-only scenario on a plain zone.</summary>
    public static RunReport Run(Scenario scenario) => Run(scenario, c => new BuddySystem(new Zone(c)));
}

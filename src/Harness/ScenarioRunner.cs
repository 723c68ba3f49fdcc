using Specs;
using BuddyModel;
using Harness.Operations;

namespace Harness;

/// <summary>
/// Runs a scenario step by step and checks every invariant after every step. A model error
/// (BadPageException) on a generated operation is a failure too: the language only produces
/// valid calls, so a refusal means the model and the test disagree.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>
    /// Run a scenario of one zone on a system made by the factory; stop at the first failure. A
    /// scenario of several zones is a bad configuration here (the factory sees one zone): use
    /// the overload that takes the whole scenario.
    /// </summary>
    public static RunReport Run<TSystem>(Scenario scenario, Func<ZoneConfig, TSystem> makeSystem)
        where TSystem : BuddySystem => Run(scenario, (Scenario s) => s.MoreZones is { Count: > 0 }
            ? throw new ArgumentException($"a system made from one zone cannot run a guest of {s.Zones.Count} zones", nameof(scenario))
            : makeSystem(s.Config));

    /// <summary>
    /// Run a scenario on a system made from the whole scenario (aeration setups need more than
    /// the zone). An observer, if given, sees the initial state, every step and the settle phase
    /// as they happen (the renderer draws them from it).
    /// </summary>
    public static RunReport Run<TSystem>(Scenario scenario, Func<Scenario, TSystem> makeSystem, Action<ScenarioStep>? observe = null)
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
            observe?.Invoke(new ScenarioStep(0, "bad configuration", null, null, e.Message));
            return new RunReport(log, 0, null, $"bad configuration: {e.Message}");
        }
        var initial = system.CheckInvariants();
        observe?.Invoke(new ScenarioStep(0, "initial state", system, initial, null));
        if (initial != null)
            return new RunReport(log, 0, initial, null);
        for (int i = 0; i < scenario.Operations.Count; i++)
        {
            var op = scenario.Operations[i];
            StepOutcome? outcome;
            string? error = null;
            try
            {
                outcome = system.Apply(op);
                if (outcome is null)
                {
                    log.Add($"{op} -> unknown here");
                    error = $"operation {op} is not supported by {system.GetType().Name}";
                }
            }
            catch (BadPageException e)
            {
                outcome = null;
                log.Add($"{op} -> model error");
                error = $"model refused {op}: {e.Message}";
            }
            if (error != null)
            {
                observe?.Invoke(new ScenarioStep(i + 1, log[^1], system, null, error));
                return new RunReport(log, i + 1, null, error);
            }
            log.Add($"{op} -> {outcome!.Note}");
            var violation = outcome.Violation ?? system.CheckInvariants();
            observe?.Invoke(new ScenarioStep(i + 1, log[^1], system, violation, null));
            if (violation != null)
                return new RunReport(log, i + 1, violation, null);
        }
        // The end of the scenario: a full check first when the steps were checked incrementally
        // (it agrees with them: IncrementalCheckTests; here so that a run never ends on
        // incremental checks alone), then let the system settle (liveness checks live here).
        if (system.IncrementalChecks && system.CheckInvariantsInFull() is { } end)
        {
            observe?.Invoke(new ScenarioStep(scenario.Operations.Count, log.Count > 0 ? log[^1] : "initial state", system, end, null));
            return new RunReport(log, scenario.Operations.Count, end, null);
        }
        int before = log.Count;
        var final = system.Finish(log);
        if (log.Count > before || final is not null)
            observe?.Invoke(new ScenarioStep(log.Count, log.Count > before ? string.Join("\n", log.Skip(before)) : "(settle) nothing to run", system, final, null));
        if (final != null)
            return new RunReport(log, log.Count, final, null);
        return new RunReport(log, null, null, null);
    }

    /// <summary>Run a buddy-only scenario on a plain zone.</summary>
    public static RunReport Run(Scenario scenario) => Run(scenario, (Scenario s) => new BuddySystem(s.Zones.Select(c => new Zone(c)).ToList()));
}

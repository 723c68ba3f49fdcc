using Concurrency.Harness;
using Microsoft.Coyote.Rewriting;
using Xunit;

namespace Concurrency;

public class RewritingTests
{
    [Fact]
    public void ProductAndTestAssembliesAreRewritten()
    {
        foreach (var asm in new[] { typeof(BuddyModel.Zone).Assembly, typeof(Kernel.AtomicInt).Assembly, typeof(Aeration.Aerator).Assembly, typeof(Reporting.PageReporting).Assembly, typeof(Specs.Violation).Assembly, typeof(global::Harness.AerationSystem).Assembly, typeof(RewritingTests).Assembly })
            Assert.True(RewritingEngine.IsAssemblyRewritten(asm), $"{asm.GetName().Name} is not rewritten: build the Concurrency project (its CoyoteRewrite target runs after Build)");
    }

    [Fact]
    public void NoUncontrolledInvocations()
    {
        // Scenario 1 and 2 exercise every task kind (worker, host, free/alloc, shutdown).
        foreach (var spec in new[] { Scenarios.Scrub(Designs.V1Rcu), Scenarios.Shutdown(Designs.V1Rcu), Scenarios.Startup(Designs.V1Rcu) })
        {
            var r = CoyoteRunner.Run(Strategy.Random, 1, 20, () => new ConcurrentAeration(spec).Run());
            Assert.Empty(r.UncontrolledInvocations);
            Assert.False(r.BugFound, r.Bug);
        }
        // The merged design's scenarios exercise its task kinds (worker, host, free/alloc, unregister, freeze/restore).
        foreach (var spec in new[] { ReportingScenarios.Unregister(UnregisterKind.Mainline), ReportingScenarios.Freeze(ReportingScenarios.Mainline), ReportingScenarios.MergeOnDrain() })
        {
            var r = CoyoteRunner.Run(Strategy.Random, 1, 10, () => new ConcurrentReporting(spec).Run());
            Assert.Empty(r.UncontrolledInvocations);
            Assert.False(r.BugFound, r.Bug);
        }
    }
}

using Microsoft.Coyote.SystematicTesting;

namespace Concurrency.Harness;

/// <summary>
/// Parameterless test entry points for the coyote CLI (`dotnet tool run coyote test|replay
/// Concurrency.dll -m Concurrency.Harness.EntryPoints.ShutdownV1`). The xunit tests run the same
/// methods through TestingEngine, so a trace written by either side replays on the other.
/// </summary>
public static class EntryPoints
{
    [Test] public static Task ScrubV1() => new ConcurrentAeration(Scenarios.Scrub(Designs.V1)).Run();
    [Test] public static Task ScrubFixed() => new ConcurrentAeration(Scenarios.Scrub(Designs.V1Rcu)).Run();
    [Test] public static Task ShutdownV1() => new ConcurrentAeration(Scenarios.Shutdown(Designs.V1)).Run();
    [Test] public static Task ShutdownFixed() => new ConcurrentAeration(Scenarios.Shutdown(Designs.V1Rcu)).Run();
    [Test] public static Task StartupV1() => new ConcurrentAeration(Scenarios.Startup(Designs.V1)).Run();
    [Test] public static Task StartupFixed() => new ConcurrentAeration(Scenarios.Startup(Designs.V1Rcu)).Run();
    [Test] public static Task DeadDeviceV1() => new ConcurrentAeration(Scenarios.DeadDevice(Designs.V1, 0, never: true)).Run();
    [Test] public static Task LateDeviceFixed() => new ConcurrentAeration(Scenarios.DeadDevice(Designs.V1Rcu, 3, never: false)).Run();
    [Test] public static Task TwoZonesV1() => new TwoZones(TwoZones.V1).Run();
    [Test] public static Task TwoZonesFixed() => new TwoZones(TwoZones.Fixed).Run();
    [Test] public static Task TwoZonesStaleBoundary() => new TwoZones(TwoZones.PopulateKeepsOtherZonesBoundaries).Run();

    // The merged design (mm/page_reporting.c): Concurrency.Harness.ConcurrentReporting.
    [Test] public static Task ReportingUnregisterMainline() => new ConcurrentReporting(ReportingScenarios.Unregister(UnregisterKind.Mainline)).Run();
    [Test] public static Task ReportingUnregisterNoGracePeriod() => new ConcurrentReporting(ReportingScenarios.Unregister(UnregisterKind.NoGracePeriod)).Run();
    [Test] public static Task ReportingEndOfPassMainline() => new ConcurrentReporting(ReportingScenarios.EndOfPass(plainStore: false)).Run();
    [Test] public static Task ReportingEndOfPassPlainStore() => new ConcurrentReporting(ReportingScenarios.EndOfPass(plainStore: true)).Run();
    [Test] public static Task ReportingMergeOnDrainMainline() => new ConcurrentReporting(ReportingScenarios.MergeOnDrain()).Run();
    [Test] public static Task ReportingFreezeMainline() => new ConcurrentReporting(ReportingScenarios.Freeze(ReportingScenarios.Mainline)).Run();
    [Test] public static Task ReportingFreezeNoFreezableWork() => new ConcurrentReporting(ReportingScenarios.Freeze(ReportingScenarios.WithoutFreezableWork)).Run();
    [Test] public static Task ReportingDeadDeviceMainline() => new ConcurrentReporting(ReportingScenarios.DeadDevice(ReportingScenarios.DeadDeviceKind.DenseLayoutFixed)).Run();
    [Test] public static Task ReportingDeadDeviceLostNotification() => new ConcurrentReporting(ReportingScenarios.DeadDevice(ReportingScenarios.DeadDeviceKind.LostNotification)).Run();
    [Test] public static Task ReportingDeadDeviceNeverAnswers() => new ConcurrentReporting(ReportingScenarios.DeadDevice(ReportingScenarios.DeadDeviceKind.NeverAnswers)).Run();
}

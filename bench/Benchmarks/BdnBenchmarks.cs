using BenchmarkDotNet.Attributes;
using BuddyModel;
using Specs;
using Specs.Buddy;
using Harness;
using Specs.Oracle;

namespace Benchmarks;

// BenchmarkDotNet versions of the same workloads (same seeds, same sequences). Run with
// `dotnet run -c Release --project bench/Benchmarks -- --bdn [BenchmarkDotNet options]`.

/// <summary>Target 1: the mixed sequence on the model and on bare lists; the result is per operation.</summary>
public class MixedAllocFree
{
    private MixedOps _ops = null!;
    private Zone _zone = null!;
    private BareLists _lists = null!;
    private MixedOps.Handles _h = null!;

    [GlobalSetup]
    public void Setup() => _ops = Workloads.Mixed;

    [IterationSetup(Target = nameof(Model))]
    public void SetupModel() => (_zone, _h) = Workloads.PrefilledZone(_ops);

    [IterationSetup(Target = nameof(Bare))]
    public void SetupBare() => (_lists, _h) = Workloads.PrefilledBare(_ops);

    [Benchmark(Baseline = true, OperationsPerInvoke = Workloads.MixedTimedOps)]
    public int Model() => MixedOps.RunModel(_zone, _ops.Ops, _ops.PrefillCount, _ops.Ops.Length, _h);

    [Benchmark(OperationsPerInvoke = Workloads.MixedTimedOps)]
    public void Bare() => MixedOps.RunBare(_lists, _ops.Ops, _ops.PrefillCount, _ops.Ops.Length, _h);
}

/// <summary>Target 2: what constructing one default zone allocates (see the Allocated column).</summary>
[MemoryDiagnoser]
public class ZoneMemory
{
    [Benchmark]
    public Zone NewDefaultZone() => new(new ZoneConfig());
}

/// <summary>Target 3: the full invariant check on the 1 GiB zone after ~100k operations.</summary>
public class FullInvariantCheck
{
    private Zone _zone = null!;
    private ReferenceModel _oracle = null!;

    [GlobalSetup]
    public void Setup() => (_zone, _oracle) = Workloads.CheckedZone();

    [Benchmark(Baseline = true)]
    public Violation? CheckAllAndCompare() => BuddyInvariants.CheckAll(_zone) ?? _oracle.Compare(_zone);

    [Benchmark]
    public Violation? CheckAll() => BuddyInvariants.CheckAll(_zone);

    [Benchmark]
    public Violation? Compare() => _oracle.Compare(_zone);
}

/// <summary>
/// Target 4: every step of the sampled aeration scenarios, checked after each. The result is
/// for all steps together (their number is printed before the run; divide by it).
/// </summary>
public class AeratedSteps
{
    private AerationSystem[] _systems = null!;

    [IterationSetup(Target = nameof(ApplyAndCheckAllSteps))]
    public void Setup() => _systems = Workloads.NewAerationSystems();

    [Benchmark]
    public int ApplyAndCheckAllSteps() => Workloads.RunAeration(_systems, check: true);

    [IterationSetup(Target = nameof(ApplyOnlyAllSteps))]
    public void SetupApplyOnly() => _systems = Workloads.NewAerationSystems();

    [Benchmark]
    public int ApplyOnlyAllSteps() => Workloads.RunAeration(_systems, check: false);
}

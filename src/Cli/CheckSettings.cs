using System.Globalization;
using Aeration;
using BuddyModel;
using Counterexamples;

namespace Cli;

/// <summary>What `check` runs: designs, seeds, runs, the model configuration, sharding, where files go.</summary>
public sealed record CheckSettings
{
    /// <summary>The embedded default: the designs that must hold, sized to finish well under a minute on two cores.</summary>
    public static readonly CheckSettings Default = new();

    public IReadOnlyList<string> Designs { get; init; } = [Harness.Designs.Buddy, Harness.Designs.V1Fixed, Harness.Designs.Reporting];
    public ulong Seed { get; init; } = 20190619;
    public int Runs { get; init; } = 20000;
    public int BatchSize { get; init; } = 100;
    public int MaxOps { get; init; } = 100;
    public ZoneConfig? Zone { get; init; }
    public int? Hwm { get; init; }
    public int? Capacity { get; init; }
    public bool NoIsolation { get; init; }

    /// <summary>
    /// Mix the isolation walk (start_isolate_page_range / undo_isolate_page_range step by step)
    /// into the generated scenarios. Off by default: every design checked by default has a
    /// finding with it (tests/Properties/Isolation/IsolationWalkFindingTests.cs pins them).
    /// </summary>
    public bool IsolationWalk { get; init; }
    public bool NoPoisoning { get; init; }

    /// <summary>Generate guests of one zone only (the generators' multi-zone guests are a quarter of the default mix).</summary>
    public bool SingleZone { get; init; }

    /// <summary>
    /// Check every invariant in full after every step (BuddySystem.IncrementalChecks off).
    /// By default a step's check looks at what the step changed, with the same verdicts and
    /// messages (IncrementalCheckTests compare the two).
    /// </summary>
    public bool FullChecks { get; init; }

    /// <summary>Skip the concurrency stage (the Coyote scenarios after the sequential checks).</summary>
    public bool NoConcurrency { get; init; }

    /// <summary>Iterations per Coyote scenario and strategy in the concurrency stage.</summary>
    public int ConcurrencyIterations { get; init; } = ConcurrencyStage.DefaultIterations;

    /// <summary>Use tests/Concurrency as built; do not build it first.</summary>
    public bool NoBuild { get; init; }

    /// <summary>Upper bounds of the numeric options (the lower bound of each is 1).</summary>
    public const int MaxRuns = 10_000_000, MaxBatch = 100_000, MaxMaxOps = 10_000, MaxHwm = 1_000_000;
    public int ShardIndex { get; init; } = 1;
    public int ShardCount { get; init; } = 1;
    public string OutDir { get; init; } = "counterexamples";
    public string? RegressionsDir { get; init; }
    public bool SkipRegressions { get; init; }

    /// <summary>Number of seed batches the runs are split into.</summary>
    public int Batches => (Runs + BatchSize - 1) / BatchSize;

    /// <summary>The batches this shard runs: batch b has seed Seed + b and belongs to shard (b mod n) + 1.</summary>
    public IEnumerable<(int Index, ulong Seed, int Runs)> MyBatches()
    {
        for (int b = 0; b < Batches; b++)
            if (b % ShardCount == ShardIndex - 1)
                yield return (b, Seed + (ulong)b, Math.Min(BatchSize, Runs - b * BatchSize));
    }

    /// <summary>"i/n" with 1 &lt;= i &lt;= n.</summary>
    public static (int Index, int Count) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i >= 1 && i <= n)
            return (i, n);
        throw new UsageException($"--shard must look like i/n with 1 <= i <= n (for example 2/4), not '{text}'");
    }

    /// <summary>Check every value; a bad one is a usage error naming the option.</summary>
    public void Validate()
    {
        if (Designs.Count == 0)
            throw new UsageException("--design: name at least one design");
        foreach (var d in Designs)
            if (!Harness.Designs.IsKnown(d))
                throw new UsageException($"--design: unknown design '{d}' (known: {string.Join(", ", Harness.Designs.Names)})");
        if (ConcurrencyIterations < 1 || ConcurrencyIterations > ConcurrencyStage.MaxIterations)
            throw new UsageException($"--concurrency-iterations: {ConcurrencyIterations} is out of range 1..{ConcurrencyStage.MaxIterations}");
        if (NoConcurrency && ConcurrencyIterations != ConcurrencyStage.DefaultIterations)
            throw new UsageException("--concurrency-iterations: there is no concurrency stage to size with --no-concurrency");
        if (NoConcurrency && NoBuild)
            throw new UsageException("--no-build: only the concurrency stage builds (tests/Concurrency), and --no-concurrency skips it");
        if (Runs < 1 || Runs > MaxRuns)
            throw new UsageException($"--runs: {Runs} is out of range 1..10000000");
        if (BatchSize < 1 || BatchSize > MaxBatch)
            throw new UsageException($"--batch: {BatchSize} is out of range 1..100000");
        if (MaxOps < 1 || MaxOps > MaxMaxOps)
            throw new UsageException($"--max-ops: {MaxOps} is out of range 1..10000");
        if (Zone is { } z)
            ValidateZone(z);
        if (Hwm is < 1 or > MaxHwm)
            throw new UsageException($"--hwm: {Hwm} is out of range 1..{MaxHwm}");
        if (Capacity is < 1 or > Aeration.Virtio.HintingDriver.HintsMax)
            throw new UsageException($"--capacity: {Capacity} is out of range 1..{Aeration.Virtio.HintingDriver.HintsMax}");
        _ = new AeratorConfig { Hwm = Hwm ?? 1, Capacity = Capacity ?? 1 };
        if ((Hwm is not null || Capacity is not null) && !Designs.Any(Harness.Designs.HasAerator))
            throw new UsageException($"{(Hwm is not null ? "--hwm" : "--capacity")}: only the v1 designs (v1, v1-fixed) have an aerator; the merged design's capacity is the kernel's 32");
    }

    /// <summary>Refuse a zone the options describe that the model cannot boot, naming the option in the user's words.</summary>
    internal static void ValidateZone(ZoneConfig z)
    {
        try
        {
            z.Validate();
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch
            {
                nameof(ZoneConfig.NrPages) => "--zone-pages",
                nameof(ZoneConfig.MaxOrder) => "--max-order",
                nameof(ZoneConfig.PageblockOrder) => "--pageblock-order",
                _ => "--min-watermark",
            };
            string msg = e.Message;
            int p = msg.LastIndexOf(" (Parameter", StringComparison.Ordinal);
            throw new UsageException($"{option}: {(p > 0 ? msg[..p] : msg)}");
        }
        if (z.NrPages > CounterexampleLoader.MaxZonePages)
            throw new UsageException($"--zone-pages: {z.NrPages} is out of range 1..{CounterexampleLoader.MaxZonePages}");
    }
}

using System.CommandLine;
using System.Globalization;

namespace Cli;

/// <summary>
/// `explore`: run the Coyote concurrency scenarios (tests/Concurrency) with a strategy, a number
/// of iterations and seeds; write the trace of every bug found. Exit 1 when a bug was found.
/// </summary>
public static class ExploreCommand
{
    private const long MaxIterations = 100_000_000, MaxSeeds = 100_000;

    public static Command Build(TextWriter stdout)
    {
        // Defaults are shown once, by the help's own "[default: ...]".
        var scenario = new Option<string>("--scenario") { Description = $"Scenario: {string.Join(", ", CoyoteTool.Scenarios.Keys)}.", DefaultValueFactory = _ => "shutdown" };
        var design = new Option<string>("--design") { Description = "v1 or fixed for the v1 scenarios (two-zones also: stale-boundary, a seeded bug); reporting, broken, reporting-no-FreezableWork, reporting-no-UsedNotifyDense or never-answers for the reporting-* scenarios (see the README's table).", DefaultValueFactory = _ => "v1" };
        var strategy = new Option<string>("--strategy") { Description = "random, pct (prioritization), probabilistic (switch with probability 2^-5 at each scheduling point: the fastest to find the races that need one preemption) or portfolio.", DefaultValueFactory = _ => "pct" };
        var iterations = NumberOptions.WithDefault("--iterations", $"Iterations per seed, {NumberOptions.Range(1, MaxIterations)}.", 1, MaxIterations, 1000);
        var seed = NumberOptions.WithDefault("--seed", $"First seed, {NumberOptions.Range(0, uint.MaxValue)}.", 0, uint.MaxValue, 7);
        var seeds = NumberOptions.WithDefault("--seeds", $"Number of seeds (seed, seed+1, ...), {NumberOptions.Range(1, MaxSeeds)}.", 1, MaxSeeds, 1);
        var shard = new Option<string?>("--shard") { Description = "Run shard i of n (1-based): the seeds k with k mod n = i-1." };
        var outDir = new Option<string>("--out") { Description = "Where traces go.", DefaultValueFactory = _ => "counterexamples" };
        var noBuild = new Option<bool>("--no-build") { Description = "Do not build tests/Concurrency first (it must be built and rewritten already)." };
        var noMinimize = new Option<bool>("--no-minimize") { Description = "Write only the raw trace of a bug; do not minimize it (minimize does it later)." };
        var command = new Command("explore", "Explore thread schedules of a concurrency scenario with Coyote; write the trace of any bug found, and its minimized trace.")
        {
            scenario, design, strategy, iterations, seed, seeds, shard, outDir, noBuild, noMinimize,
        };
        command.SetAction(parse =>
        {
            string sc = parse.GetValue(scenario)!;
            string de = parse.GetValue(design)!;
            if (!CoyoteTool.Scenarios.TryGetValue(sc, out var designs))
                throw new UsageException($"--scenario: unknown scenario '{sc}' ({string.Join(", ", CoyoteTool.Scenarios.Keys)})");
            if (!designs.TryGetValue(de, out var method))
                throw new UsageException($"--design: scenario '{sc}' has no design '{de}' ({string.Join(", ", designs.Keys)})");
            string st = parse.GetValue(strategy)!;
            if (st is not ("random" or "pct" or "probabilistic" or "portfolio"))
                throw new UsageException($"--strategy: unknown strategy '{st}' (random, pct, probabilistic, portfolio)");
            uint iters = (uint)parse.GetValue(iterations);
            int n = (int)parse.GetValue(seeds);
            uint first = (uint)parse.GetValue(seed);
            if ((ulong)first + (ulong)n - 1 > uint.MaxValue)
                throw new UsageException($"--seeds: {n} seeds from --seed {first} go past {uint.MaxValue:N0}, the largest seed");
            var (si, sn) = parse.GetValue(shard) is string s ? CheckSettings.ParseShard(s) : (1, 1);

            string root = CoyoteTool.RepositoryRoot();
            string dll = CoyoteTool.ScenarioAssembly(root, parse.GetValue(noBuild), stdout);
            bool minimize = !parse.GetValue(noMinimize);
            string outPath = Path.GetFullPath(parse.GetValue(outDir)!);
            Directory.CreateDirectory(outPath);

            int bugs = 0;
            for (int k = 0; k < n; k++)
            {
                if (k % sn != si - 1)
                    continue;
                uint sd = first + (uint)k;
                // A fresh folder per run, removed afterwards: only this run's report and trace are read.
                string work = Directory.CreateTempSubdirectory($"coyote-{method}-{sd}-").FullName;
                try
                {
                    bugs += ExploreOne(stdout, root, dll, method, st, iters, sd, work, outPath, minimize);
                }
                finally
                {
                    Directory.Delete(work, recursive: true);
                }
            }
            return bugs > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One seed: run the tool, copy the trace of a bug (and minimize it); returns 1 when a bug was found.</summary>
    private static int ExploreOne(TextWriter stdout, string root, string dll, string method, string st, uint iters, uint sd, string work, string outPath, bool minimize)
    {
                var (rc, output) = CoyoteTool.Test(root, dll, method, st, iters, sd, work);
                string? bug = output.Contains("Found 1 bug", StringComparison.Ordinal)
                    ? Directory.GetFiles(Path.Combine(work, "CoyoteOutput"), "*.txt").Select(f => CoyoteTool.BugText(File.ReadAllText(f))).FirstOrDefault(b => b != null) ?? "(see the tool's report)"
                    : null;
                if (rc != 0 && bug is null)
                {
                    stdout.Write(output);
                    throw new ToolFailedException($"coyote test failed with exit code {rc} (see above)");
                }
                string iterationsLine = output.Split('\n').FirstOrDefault(l => l.Contains("found bug", StringComparison.Ordinal))?.Trim() ?? "";
                if (bug is null)
                {
                    stdout.WriteLine($"{method} {st} seed {sd}: no bug in {iters} iterations");
                    return 0;
                }
                string trace = Directory.GetFiles(Path.Combine(work, "CoyoteOutput"), "*.trace").Single();
                string dest = Path.Combine(outPath, $"{method}-{st}-seed{sd.ToString(CultureInfo.InvariantCulture)}.trace");
                File.Copy(trace, dest, overwrite: true);
                stdout.WriteLine($"{method} {st} seed {sd}: BUG ({iterationsLine.TrimStart('.', ' ')}): {bug}");
                stdout.WriteLine($"  trace: {dest}");
                stdout.WriteLine($"  replay: {CliApp.HowToRun} replay {Path.GetRelativePath(Directory.GetCurrentDirectory(), dest)}");
                if (minimize && !MinimizeCommand.Run(stdout, root, dll, dest, method, TraceFile.MinimizedPath(dest)))
                    throw new ToolFailedException($"the trace of the bug found with seed {sd} does not reproduce it in process (see above)");
                return 1;
    }
}

using System.CommandLine;
using Counterexamples;

namespace Cli;

/// <summary>`replay FILE`: run a counterexample again; exit 0 only when the same violation comes back (and its fix passes).</summary>
public static class ReplayCommand
{
    public static Command Build(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A counterexample file (JSON), or a Coyote trace (.trace) written by explore or the concurrency tests." };
        var method = new Option<string?>("--method") { Description = "For a .trace: the scenario method of Concurrency.Harness.EntryPoints (default: from the file name)." };
        var noBuild = new Option<bool>("--no-build") { Description = "For a .trace: do not build tests/Concurrency first (it must be built and rewritten already)." };
        var command = new Command("replay", "Replay a counterexample file or a Coyote trace and verify that the same failure comes back; say where the run diverges if it does.") { file, method, noBuild };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (path.EndsWith(".trace", StringComparison.OrdinalIgnoreCase))
                return ReplayTrace(path, parse.GetValue(method), parse.GetValue(noBuild), stdout);
            if (parse.GetValue(method) is not null)
                throw new UsageException("--method applies to a .trace, not to a counterexample file");
            var ce = CliApp.LoadFile(path);
            var result = Replayer.Replay(ce);
            stdout.Write(result.Report.Narrate());
            if (!result.Reproduced)
            {
                stdout.WriteLine($"REPLAY FAILED ({result.Outcome}): {result.Message}");
                return ExitCodes.Failed;
            }
            stdout.WriteLine($"OK: {result.Message}");
            if (Replayer.ReplayFix(ce) is { } fix)
            {
                if (fix.Outcome != ReplayOutcome.Passed)
                {
                    stdout.WriteLine($"REPLAY FAILED: {fix.Message}");
                    return ExitCodes.Failed;
                }
                stdout.WriteLine($"OK: {fix.Message}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Replay a Coyote trace with the coyote tool on the rewritten scenario assembly; exit 0 when the bug comes back.</summary>
    private static int ReplayTrace(string path, string? method, bool noBuild, TextWriter stdout)
    {
        CliApp.RequireFile(path);
        TraceFile.Validate(path);
        string name = Path.GetFileNameWithoutExtension(path);
        method = TraceFile.Method(path, method);
        string? expect = TraceFile.Expected(path);
        string root = CoyoteTool.RepositoryRoot();
        string dll = CoyoteTool.ScenarioAssembly(root, noBuild, stdout);
        var (rc, output) = CoyoteTool.Replay(root, dll, Path.GetFullPath(path), method);
        string? bug = CoyoteTool.BugText(output);
        // The tool exits non-zero when it reproduced a bug; what counts is that it did.
        _ = rc;
        if (!output.Contains("Reproduced 1 bug", StringComparison.Ordinal))
        {
            stdout.Write(output);
            stdout.WriteLine($"REPLAY FAILED: the trace did not reproduce a bug in {method} (it may predate a change of the model or the harness)");
            return ExitCodes.Failed;
        }
        if (expect is not null && bug?.Contains(expect, StringComparison.Ordinal) != true)
        {
            stdout.WriteLine($"REPLAY FAILED: {name} reproduced a different bug in {method}: {bug} (expected one that says \"{expect}\")");
            return ExitCodes.Failed;
        }
        stdout.WriteLine($"OK: reproduced in {method}: {bug}");
        return ExitCodes.Ok;
    }
}

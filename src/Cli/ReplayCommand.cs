using System.CommandLine;
using Specs.Files;

namespace Cli;

/// <summary>`replay FILE`: run a counterexample again; exit 0 only when the same violation comes back (and its fix passes).</summary>
public static class ReplayCommand
{
    public static Command Build(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A counterexample file (JSON)." };
        var command = new Command("replay", "Replay a counterexample file and verify that the same violation comes back; say where the run diverges if it does.") { file };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
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
}

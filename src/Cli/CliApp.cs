using System.CommandLine;
using Specs.Files;

namespace Cli;

/// <summary>
/// The command line: check, replay, show. Run is the whole program with its output streams
/// passed in, so that tests run it in-process.
/// </summary>
public static class CliApp
{
    /// <summary>Parse and run; returns the exit code (see ExitCodes).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = BuildRoot(stdout, interactive);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
                stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run with --help to see the commands and options.");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (ToolFailedException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.ToolFailed;
        }
        catch (CounterexampleFormatException e)
        {
            stderr.WriteLine($"error: malformed counterexample file: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
    }

    private static RootCommand BuildRoot(TextWriter stdout, bool interactive)
    {
        var root = new RootCommand(
            "Free page hinting verification: generated-sequence checks of the buddy allocator and the v1 aerator, "
            + "Coyote exploration of the concurrency scenarios, and counterexample files and traces (replay, show). Exit codes: 0 ok, 1 violation or regression, 2 misuse, 3 a tool it runs failed.");
        root.Subcommands.Add(CheckCommand.Build(stdout, interactive));
        root.Subcommands.Add(ReplayCommand.Build(stdout));
        root.Subcommands.Add(ShowCommand.Build(stdout));
        root.Subcommands.Add(ExploreCommand.Build(stdout));
        return root;
    }

    /// <summary>Load a counterexample file; a missing or malformed file is a usage error naming the file and the field.</summary>
    public static CounterexampleFile LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"no such file: {path}");
        try
        {
            return CounterexampleLoader.Load(path);
        }
        catch (CounterexampleFormatException e)
        {
            throw new UsageException($"{path}: malformed counterexample file: {e.Message}");
        }
    }
}

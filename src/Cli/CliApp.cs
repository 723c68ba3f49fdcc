using System.CommandLine;
using System.CommandLine.Help;
using Counterexamples;

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
            stderr.WriteLine($"error: {FirstError(parsed)}; see --help");
            return ExitCodes.Usage;
        }
        if (parsed.Action is HelpAction)
            return WriteHelp(parsed, stdout, stderr);
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

    /// <summary>How the README runs the tool; the usage lines of --help say it so.</summary>
    public const string HowToRun = "dotnet run --project src/Cli --";

    /// <summary>
    /// The one error a user needs, in their words: an unknown command or option first (the parser
    /// also reports a missing command, which is the same mistake), else the parser's first error.
    /// </summary>
    private static string FirstError(ParseResult parsed)
    {
        const string unrecognized = "Unrecognized command or argument '";
        var unknown = parsed.Errors.Select(e => e.Message).FirstOrDefault(m => m.StartsWith(unrecognized, StringComparison.Ordinal));
        string commands = string.Join(", ", parsed.RootCommandResult.Command.Subcommands.Select(c => c.Name));
        if (unknown is not null)
        {
            string token = unknown[unrecognized.Length..].TrimEnd('.', '\'');
            var command = parsed.CommandResult.Command;
            if (token.StartsWith('-'))
                return command is RootCommand ? $"unknown option '{token}'" : $"unknown option '{token}' for '{command.Name}'";
            return command is RootCommand ? $"unknown command '{token}' (commands: {commands})" : $"unexpected argument '{token}' for '{command.Name}'";
        }
        if (parsed.CommandResult.Command is RootCommand)
            return $"name a command: {commands}";
        return parsed.Errors[0].Message.TrimEnd('.');
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
        root.Subcommands.Add(MinimizeCommand.Build(stdout));
        root.Subcommands.Add(ExhaustCommand.Build(stdout, interactive));
        root.Subcommands.Add(SimulateCommand.Build(stdout));
        root.Subcommands.Add(CompareCommand.Build(stdout));
        root.Subcommands.Add(HelpCommand());
        return root;
    }

    /// <summary>`help [command]`: the same as `--help` (of the command, when one is named).</summary>
    private static Command HelpCommand()
    {
        var name = new Argument<string?>("command") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show the commands, or the options of one command.") { name };
        help.SetAction(parse =>
        {
            var root = parse.RootCommandResult.Command;
            string? target = parse.GetValue(name);
            if (target is not null && !root.Subcommands.Any(c => c.Name == target))
                throw new UsageException($"help: unknown command '{target}' (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})");
            var again = root.Parse(target is null ? ["--help"] : [target, "--help"]);
            return WriteHelp(again, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return help;
    }

    /// <summary>Print the help a --help parse asks for, with usage lines that say how to run the tool rather than the assembly's name.</summary>
    private static int WriteHelp(ParseResult helpParse, TextWriter output, TextWriter error)
    {
        var text = new StringWriter { NewLine = output.NewLine };
        helpParse.Invoke(new InvocationConfiguration { Output = text, Error = error, EnableDefaultExceptionHandler = false });
        output.Write(text.ToString().Replace($"  {RootCommand.ExecutableName} ", $"  {HowToRun} ", StringComparison.Ordinal));
        return ExitCodes.Ok;
    }

    /// <summary>Load a counterexample file; a missing or malformed file is a usage error naming the file and the field.</summary>
    public static CounterexampleFile LoadFile(string path)
    {
        RequireFile(path);
        try
        {
            return CounterexampleLoader.Load(path);
        }
        catch (CounterexampleFormatException e)
        {
            throw new UsageException($"{path}: malformed counterexample file: {e.Message}");
        }
    }

    /// <summary>A file argument must name a file: a folder or a missing path is a usage error that says which.</summary>
    public static void RequireFile(string path)
    {
        if (Directory.Exists(path))
            throw new UsageException($"{path} is a folder, not a file");
        if (!File.Exists(path))
            throw new UsageException($"no such file: {path}");
    }
}

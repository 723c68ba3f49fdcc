using System.CommandLine;

namespace Cli;

/// <summary>
/// `minimize FILE.trace [--out OUT]`: from a trace that shows a bug, the simplest trace found
/// that shows the same bug (fewest preemptions, then scheduling steps, then operations), every
/// candidate checked by replay. Writes X.min.trace beside X.trace unless --out says otherwise.
/// Exit 0 when written, 1 when the trace shows no bug, 2 misuse, 3 a tool failed.
/// </summary>
public static class MinimizeCommand
{
    public static Command Build(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A Coyote trace (.trace) written by explore or the concurrency tests." };
        var outFile = new Option<string?>("--out") { Description = "Where the minimized trace goes (default: X.min.trace beside X.trace)." };
        var method = new Option<string?>("--method") { Description = "The scenario method of Concurrency.Harness.EntryPoints (default: from the file name)." };
        var noBuild = new Option<bool>("--no-build") { Description = "Do not build tests/Concurrency first (it must be built and rewritten already)." };
        var command = new Command("minimize", "Minimize a Coyote trace: the fewest preemptions, scheduling steps and operations that still show the same bug, each candidate checked by replay.")
        {
            file, outFile, method, noBuild,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!path.EndsWith(".trace", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"{path}: minimize takes a Coyote trace (.trace); a counterexample file is shrunk when check writes it");
            CliApp.RequireFile(path);
            TraceFile.Validate(path);
            string m = TraceFile.Method(path, parse.GetValue(method));
            string dest = parse.GetValue(outFile) ?? TraceFile.MinimizedPath(path);
            if (Directory.Exists(dest))
                throw new UsageException($"--out: {dest} is a folder, not a file");
            if (Path.GetDirectoryName(Path.GetFullPath(dest)) is { } dir && !Directory.Exists(dir))
                throw new UsageException($"--out: no such folder: {dir}");
            if (Path.GetFullPath(dest) == Path.GetFullPath(path))
                throw new UsageException("--out: the minimized trace would overwrite the trace it comes from");
            string root = CoyoteTool.RepositoryRoot();
            string dll = CoyoteTool.ScenarioAssembly(root, parse.GetValue(noBuild), stdout);
            return Run(stdout, root, dll, path, m, dest) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Minimize one trace and say what changed; false when the trace shows no bug.</summary>
    public static bool Run(TextWriter stdout, string root, string dll, string path, string method, string dest)
    {
        var r = Schedules.Minimize(root, dll, path, method, dest, out string? why);
        if (r is null)
        {
            stdout.WriteLine($"MINIMIZE FAILED: {path}: {why}");
            return false;
        }
        stdout.WriteLine($"  minimized: {r.From} -> {r.To} ({r.Took})");
        stdout.WriteLine($"  bug: {r.Bug}");
        stdout.WriteLine($"  minimized trace: {dest}");
        stdout.WriteLine($"  story: {CliApp.HowToRun} show {Path.GetRelativePath(Directory.GetCurrentDirectory(), dest)}");
        return true;
    }
}

using System.Reflection;
using System.Text.Json;
using Concurrency.Harness;
using Concurrency.Harness.Schedules;

namespace Concurrency;

/// <summary>
/// The concurrency assembly as a program, for the CLI (`minimize`, `show FILE.trace`): it holds
/// the Coyote-rewritten model, so schedules can be replayed in process, hundreds of times,
/// instead of one `coyote replay` process per candidate. The test host does not use this entry
/// point (GenerateProgramFile is off in the project).
///
///   dotnet Concurrency.dll minimize TRACE METHOD OUT   minimize; write the simplest trace to OUT
///   dotnet Concurrency.dll story TRACE METHOD          the story of the trace's replay, as JSON
///   dotnet Concurrency.dll sweep ITERATIONS SEED OUTDIR METHOD...
///                                                      explore each method with PCT, then random
///                                                      (a small budget: `check`'s concurrency
///                                                      stage); a JSON line per exploration, the
///                                                      trace of a bug written to OUTDIR
///
/// METHOD is an EntryPoints method (ShutdownV1, ...). Exit codes: 0 done, 1 the trace does not
/// reproduce a bug, 2 misuse (a file that is not a trace, an unknown method), 3 failure.
/// Coyote's engine writes its progress to the console even with console logging off; the
/// program's own output goes to the real stdout and the engine's is dropped.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Environment.SetEnvironmentVariable("COYOTE_CLI_TELEMETRY_OPTOUT", "1");
        var stdout = Console.Out;
        var stderr = Console.Error;
        Console.SetOut(TextWriter.Null);
        try
        {
            switch (args)
            {
                case ["minimize", var trace, var method, var output]:
                {
                    var test = EntryPoint(method);
                    var t = Load(trace);
                    var minimizer = new ScheduleMinimizer(test);
                    if (Environment.GetEnvironmentVariable("SCHEDULE_MINIMIZER_VERBOSE") == "1")
                        minimizer.Verbose = stderr;
                    MinimizeResult r;
                    try
                    {
                        r = minimizer.Minimize(t, stdout);
                    }
                    catch (NotReproducedException e)
                    {
                        stderr.WriteLine(e.Message);
                        return 1;
                    }
                    File.WriteAllText(output, r.Minimized.ToJson());
                    stdout.WriteLine($"from: {r.Original}");
                    stdout.WriteLine($"to:   {r.Minimized}");
                    stdout.WriteLine($"bug:  {r.Bug}");
                    stdout.WriteLine($"took: {r.Candidates} candidates, {r.Replays} replays, {r.Elapsed.TotalSeconds:F1} s");
                    return 0;
                }
                case ["story", var trace, var method]:
                {
                    var test = EntryPoint(method);
                    var story = StoryRecorder.Tell(method, Path.GetFileName(trace), Load(trace), test);
                    stdout.WriteLine(story.ToJson());
                    return 0;
                }
                case ["sweep", var iterations, var seed, var outDir, .. var methods] when methods.Length > 0:
                    return Sweep.Run(Number(iterations, "iterations"), Number(seed, "seed"), outDir, methods.Select(m => (m, EntryPoint(m))).ToList(), stdout);
                default:
                    stderr.WriteLine("usage: Concurrency.dll minimize TRACE METHOD OUT | story TRACE METHOD | sweep ITERATIONS SEED OUTDIR METHOD...");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine(e.Message);
            return 2;
        }
        catch (InvalidOperationException e)
        {
            stderr.WriteLine(e.Message);
            return 3;
        }
        catch (IOException e)
        {
            stderr.WriteLine(e.Message);
            return 3;
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    private static uint Number(string text, string what) =>
        uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"{what}: '{text}' is not a whole number from 0 to {uint.MaxValue}");

    private static ScheduleTrace Load(string path)
    {
        try
        {
            return ScheduleTrace.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidCastException)
        {
            throw new ArgumentException($"{path}: not a Coyote trace: {e.Message}");
        }
    }

    /// <summary>The EntryPoints method of that name, as a test delegate.</summary>
    public static Func<Task> EntryPoint(string method)
    {
        var m = typeof(EntryPoints).GetMethod(method, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)
            ?? throw new ArgumentException($"no scenario method '{method}' in Concurrency.Harness.EntryPoints");
        return (Func<Task>)Delegate.CreateDelegate(typeof(Func<Task>), m);
    }
}

using System.Reflection;
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
///
/// METHOD is an EntryPoints method (ShutdownV1, ...). Exit codes: 0 done, 2 misuse, 3 failure.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Environment.SetEnvironmentVariable("COYOTE_CLI_TELEMETRY_OPTOUT", "1");
        try
        {
            switch (args)
            {
                case ["minimize", var trace, var method, var output]:
                {
                    var test = EntryPoint(method);
                    var r = new ScheduleMinimizer(test).Minimize(ScheduleTrace.Parse(File.ReadAllText(trace)), Console.Out);
                    File.WriteAllText(output, r.Minimized.ToJson());
                    Console.WriteLine($"from: {r.Original}");
                    Console.WriteLine($"to:   {r.Minimized}");
                    Console.WriteLine($"bug:  {r.Bug}");
                    return 0;
                }
                case ["story", var trace, var method]:
                {
                    var test = EntryPoint(method);
                    var story = StoryRecorder.Tell(method, Path.GetFileName(trace), ScheduleTrace.Parse(File.ReadAllText(trace)), test);
                    Console.WriteLine(story.ToJson());
                    return 0;
                }
                default:
                    Console.Error.WriteLine("usage: Concurrency.dll minimize TRACE METHOD OUT | story TRACE METHOD");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 3;
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

using System.CommandLine;
using System.Text;
using Rendering;

namespace Cli;

/// <summary>`show FILE [--html OUT]`: draw a counterexample step by step, as text and optionally as an HTML page with SVG.</summary>
public static class ShowCommand
{
    public static Command Build(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A counterexample file (JSON)." };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML page (one SVG picture per step) to this path." };
        var command = new Command("show", "Render a counterexample step by step: free lists per order and migratetype, raw and aerated blocks, the boundary, the batch, flags and counters.") { file, html };
        command.SetAction(parse =>
        {
            var ce = CliApp.LoadFile(parse.GetValue(file)!);
            var steps = ScenarioStepper.Capture(ce.Design, ce.Scenario);
            stdout.Write(TextRenderer.Render(ce, steps));
            if (parse.GetValue(html) is string outPath)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
                if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
                    throw new UsageException($"--html: no such folder: {dir}");
                File.WriteAllText(outPath, HtmlRenderer.Render(ce, steps), new UTF8Encoding(false));
                stdout.WriteLine($"HTML written to {outPath}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

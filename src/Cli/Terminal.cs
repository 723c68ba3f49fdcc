using Spectre.Console;

namespace Cli;

/// <summary>Spectre consoles over the tool's writers: plain (no ANSI, fixed width) unless the output is a terminal.</summary>
public static class Terminal
{
    public static IAnsiConsole Over(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!interactive)
            console.Profile.Width = 120;
        return console;
    }
}

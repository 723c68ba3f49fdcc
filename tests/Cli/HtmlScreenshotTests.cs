using System.Diagnostics;
using Counterexamples;
using Rendering;
using Xunit;

namespace Cli.Tests;

/// <summary>A fact that is skipped, saying why, when Debian's chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HtmlScreenshotTests.Chromium is null)
            Skip = "chromium is not installed (Debian: apt-get install -y chromium); the HTML screenshot check needs it";
    }
}

/// <summary>
/// Renders the HTML of a known counterexample in headless Chromium to a PNG and checks the
/// picture: the page has content, and the boundary (magenta) and the violating block (red)
/// are visible in it.
/// </summary>
public sealed class HtmlScreenshotTests
{
    public static string? Chromium { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    [Fact]
    public void The_html_marks_the_boundary_and_the_violating_block()
    {
        var (file, html) = Render();
        Assert.Contains("class=\"boundary\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"raw violation\"", html, StringComparison.Ordinal);
        Assert.Contains("Failure: Step " + file.Expected.Step, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [ChromiumFact]
    public void Headless_chromium_draws_the_boundary_and_the_violating_block()
    {
        var (_, html) = Render();
        string dir = TestFiles.TempDir();
        string page = Path.Combine(dir, "counterexample.html");
        string png = Path.Combine(dir, "counterexample.png");
        File.WriteAllText(page, html);
        var psi = new ProcessStartInfo(Chromium!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}", "--window-size=1300,2600", $"--screenshot={png}", new Uri(page).AbsoluteUri })
            psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEndAsync().Result;
        Assert.True(p.WaitForExit(60_000), "chromium did not finish within 60 s");
        Assert.True(File.Exists(png), $"chromium wrote no screenshot (exit {p.ExitCode}): {err}");
        Assert.True(new FileInfo(png).Length > 20_000, $"the screenshot is suspiciously small: {new FileInfo(png).Length} bytes");
        var image = PngImage.Read(png);
        Assert.Equal(1300, image.Width);
        // Below the legend (whose chips use the same colours) only boundary markers are magenta
        // and only violating blocks are this red.
        const int belowLegend = 300;
        Assert.True(image.Count(HtmlRenderer.BoundaryColour, fromRow: belowLegend) > 100, "no boundary marker (magenta) in the screenshot");
        Assert.True(image.Count(HtmlRenderer.ViolationColour, fromRow: belowLegend) > 300, "no violating block (red) in the screenshot");
        Assert.True(image.Count(HtmlRenderer.AeratedColour, fromRow: belowLegend) > 300, "no aerated block (blue) in the screenshot");
    }

    private static (CounterexampleFile File, string Html) Render()
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, "v1-expand-made-raw-blocks-never-request-a-pass.json"));
        return (file, HtmlRenderer.Render(file, ScenarioStepper.Capture(file.Design, file.Scenario)));
    }
}

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
/// picture: the page has content; the boundary (magenta), the violating block (red), the
/// pageblock strip (one cell per pageblock in its migratetype's colour) and the widened marks
/// of blocks too small to see at scale (cyan caps) are visible in it.
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

    [Fact]
    public void The_html_draws_the_pageblocks_the_pfn_ticks_and_the_small_blocks()
    {
        var (file, html) = Render();
        var c = file.Scenario.Config;
        int pageblocks = c.NrPages >> c.PageblockOrder;
        int svgs = CountOf(html, "<svg ");
        // Every picture has the pageblock strip: here all pageblocks are Movable, one run with its initial.
        Assert.Equal(svgs, CountOf(html, $"<title>pageblocks 0..{pageblocks - 1} (pfn 0..{c.NrPages - 1}): Movable</title>"));
        Assert.Equal(svgs, CountOf(html, "text-anchor=\"middle\">M</text>"));
        Assert.Contains($"background:{HtmlRenderer.MovableColour}", html, StringComparison.Ordinal);
        // The axis is labelled along the way, not only at its ends.
        int tick = HtmlRenderer.TickStep(c.NrPages);
        Assert.True(c.NrPages / tick >= 4, $"only {c.NrPages / tick} tick intervals");
        Assert.Equal(svgs, CountOf(html, "<g class=\"pfn-ticks\">"));
        string firstTicks = html[html.IndexOf("<g class=\"pfn-ticks\">", StringComparison.Ordinal)..];
        firstTicks = firstTicks[..firstTicks.IndexOf("</g>", StringComparison.Ordinal)];
        for (int p = 0; p <= c.NrPages; p += tick)
            Assert.Contains($">{p}</text>", firstTicks, StringComparison.Ordinal);
        // Step 8 splits a block down to order 0: the order-0 blocks get widened marks and a zoomed strip.
        Assert.Contains("<g class=\"small-block\"><title>raw pfn 193 order 0 Movable (1 page, widened)", html, StringComparison.Ordinal);
        Assert.Contains("zoom pfn 192..255", html, StringComparison.Ordinal);
        Assert.Contains("class=\"zoomed raw violation\"", html, StringComparison.Ordinal);
        // Steps without small blocks have neither.
        string step0 = html[html.IndexOf("id=\"step-0\"", StringComparison.Ordinal)..html.IndexOf("id=\"step-1\"", StringComparison.Ordinal)];
        Assert.DoesNotContain("small-block", step0, StringComparison.Ordinal);
        Assert.DoesNotContain("zoom pfn", step0, StringComparison.Ordinal);
    }

    [Fact]
    public void An_isolated_pageblock_is_drawn_in_the_strip()
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"));
        string html = HtmlRenderer.Render(file, ScenarioStepper.Capture(file.Design, file.Scenario));
        Assert.Contains("class=\"pageblock isolate-pageblock\"", html, StringComparison.Ordinal);
        Assert.Contains($"fill=\"{HtmlRenderer.IsolatePageblockColour}\"", html, StringComparison.Ordinal);
        Assert.Contains(": Isolate</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_is_the_same_bytes_for_the_same_input()
    {
        Assert.Equal(Render().Html, Render().Html);
    }

    [ChromiumFact]
    public void Headless_chromium_draws_the_boundary_and_the_violating_block()
    {
        var (_, html) = Render();
        string png = Screenshot(html, "counterexample", 1300, 2600);
        Assert.True(new FileInfo(png).Length > 20_000, $"the screenshot is suspiciously small: {new FileInfo(png).Length} bytes");
        var image = PngImage.Read(png);
        Assert.Equal(1300, image.Width);
        // Below the legend (whose chips use the same colours) only boundary markers are magenta
        // and only violating blocks are this red.
        const int belowLegend = 300;
        Assert.True(image.Count(HtmlRenderer.BoundaryColour, fromRow: belowLegend) > 100, "no boundary marker (magenta) in the screenshot");
        Assert.True(image.Count(HtmlRenderer.ViolationColour, fromRow: belowLegend) > 300, "no violating block (red) in the screenshot");
        Assert.True(image.Count(HtmlRenderer.AeratedColour, fromRow: belowLegend) > 300, "no aerated block (blue) in the screenshot");
        // The pageblock strip: 32 Movable cells of 30 x 14 px per picture (white gaps between them).
        int movable = image.Count(HtmlRenderer.MovableColour, fromRow: belowLegend);
        Assert.True(movable > 3 * 32 * 20 * 10, $"the pageblock strip (teal) is missing or too small: {movable} pixels");
        // Widened marks of order-0 blocks: a 6 x 3 px cyan cap each, in the failing step and step 8 at least.
        int caps = image.Count(HtmlRenderer.SmallBlockColour, fromRow: belowLegend);
        Assert.True(caps >= 2 * 12, $"no widened mark of a small block (cyan) in the screenshot: {caps} pixels");
        // The zoomed strip draws the violating order-3 block 120 px wide: more red than the map and the list cell alone.
        int red = image.Count(HtmlRenderer.ViolationColour, fromRow: belowLegend);
        Assert.True(red > 2000, $"the zoomed strip's violating block (red) is missing: {red} pixels");
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    private static (CounterexampleFile File, string Html) Render()
    {
        var file = CounterexampleLoader.Load(Path.Combine(TestFiles.Regressions, "v1-expand-made-raw-blocks-never-request-a-pass.json"));
        return (file, HtmlRenderer.Render(file, ScenarioStepper.Capture(file.Design, file.Scenario)));
    }

    /// <summary>Headless Chromium's screenshot of a page (width x height px); the PNG's path. Asserts that Chromium finished and wrote it.</summary>
    public static string Screenshot(string html, string name, int width, int height)
    {
        string dir = TestFiles.TempDir();
        string page = Path.Combine(dir, name + ".html");
        string png = Path.Combine(dir, name + ".png");
        File.WriteAllText(page, html);
        var psi = new ProcessStartInfo(Chromium!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}", $"--window-size={width},{height}", $"--screenshot={png}", new Uri(page).AbsoluteUri })
            psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEndAsync().Result;
        Assert.True(p.WaitForExit(60_000), "chromium did not finish within 60 s");
        Assert.True(File.Exists(png), $"chromium wrote no screenshot (exit {p.ExitCode}): {err}");
        return png;
    }
}

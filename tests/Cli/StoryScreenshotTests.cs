using Rendering;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// Renders the HTML of the handmade schedule story (StoryRenderingTests.Sample) in headless
/// Chromium to a PNG and checks the picture: the violating event's red box, the lock-hold bars
/// and the preemption marker are drawn. Skipped, saying why, when chromium is not installed.
/// </summary>
public sealed class StoryScreenshotTests
{
    /// <summary>Each legend swatch is 10 x 10 px plus its border: far below every threshold here.</summary>
    private const int LegendSwatch = 12 * 12;

    [ChromiumFact]
    public void Story_headless_chromium_draws_the_violation_the_lock_holds_and_the_preemption()
    {
        string html = StorySvgRenderer.Render(StoryRenderingTests.Sample);
        string png = HtmlScreenshotTests.Screenshot(html, "story", 1300, 1200);
        var image = PngImage.Read(png);
        Assert.Equal(1300, image.Width);
        // The violation: one box of 222 x 49 px (three lines), less its white text and antialiased edges.
        int red = image.Count(StorySvgRenderer.ViolationColour);
        Assert.True(red > 5000, $"the violating event's box (red) is missing or too small: {red} pixels");
        // Two lock holds, 8 px wide: free path 1's over five rows, the worker's over its last three.
        int holds = image.Count(StorySvgRenderer.LockHoldColour);
        Assert.True(holds > 8 * 150, $"the lock-hold bars (teal) are missing or too short: {holds} pixels");
        // The zig-zag, its arrow head, the box frame and the word "preempted".
        int preempted = image.Count(StorySvgRenderer.PreemptedColour);
        Assert.True(preempted > 400 + LegendSwatch, $"the preemption marker (orange) is missing: {preempted} pixels");
    }
}

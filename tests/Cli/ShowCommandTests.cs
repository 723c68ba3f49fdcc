using System.Text.RegularExpressions;
using BuddyModel;
using Counterexamples;
using Harness;
using Harness.Operations;
using Rendering;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// `show` on a long run: the drawn steps are bounded (--max-steps, --all-steps), the left-out
/// steps are one line, only drawn steps are captured, and bad values are one error line.
/// </summary>
public sealed partial class ShowCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>ExpandMadeRaw behind `pairs` alloc/free pairs that leave the zone as it was: it still fails at the end.</summary>
    internal static CounterexampleFile LongFile(int pairs)
    {
        var known = TestFiles.ExpandMadeRaw;
        var ops = new List<Operation>();
        for (int i = 0; i < pairs; i++)
        {
            ops.Add(new AllocPages(i % 3, MigrateType.Movable));
            ops.Add(new FreePages(0));
        }
        ops.AddRange(known.Operations);
        var sc = known with { Operations = ops };
        var report = Designs.Run(Designs.V1, sc);
        Assert.False(report.Passed, "the long scenario should still fail under v1");
        return CounterexampleFile.FromRun(Designs.V1, sc, report, seed: 1, title: $"long-{pairs}");
    }

    private static string Write(CounterexampleFile file)
    {
        string path = Path.Combine(TestFiles.TempDir(), "long.json");
        CounterexampleWriter.Write(file, path);
        return path;
    }

    [GeneratedRegex(@"^Step (\d+):", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    private static List<int> DrawnSteps(string text) => StepLine().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public void A_long_run_draws_the_first_and_last_steps_and_says_how_many_were_left_out()
    {
        var file = LongFile(1000);
        string path = Write(file);
        string html = Path.Combine(TestFiles.TempDir(), "long.html");
        var (code, output, err) = Run("show", path, "--html", html);
        Assert.True(code == ExitCodes.Ok, err);
        var drawn = DrawnSteps(output);
        Assert.Equal(ShowCommand.DefaultMaxSteps, drawn.Count);
        Assert.Equal(Enumerable.Range(0, 25), drawn.Take(25));
        Assert.Equal(file.Expected.Step, drawn[^1]);
        Assert.Contains("VIOLATION: Progress", output, StringComparison.Ordinal);
        int total = file.Scenario.Operations.Count + 2;
        string line = $"... {total - 50} of {total} steps left out (steps 25 to {drawn[^25] - 1}); --all-steps draws them all";
        Assert.Contains(line, output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), l => l.Contains("left out", StringComparison.Ordinal));
        string page = File.ReadAllText(html);
        Assert.Contains("class=\"left-out\"", page, StringComparison.Ordinal);
        Assert.Contains(line, page, StringComparison.Ordinal);
        Assert.Contains($"id=\"step-{file.Expected.Step}\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"failure\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"step-500\"", page, StringComparison.Ordinal);
        Assert.True(page.Length < 1_000_000, $"the page of 50 steps is {page.Length} bytes");
    }

    [Fact]
    public void Max_steps_sets_the_budget_and_all_steps_lifts_it()
    {
        var file = LongFile(100);
        string path = Write(file);
        int total = file.Scenario.Operations.Count + 2;

        var (code, output, err) = Run("show", path, "--max-steps", "7");
        Assert.True(code == ExitCodes.Ok, err);
        var drawn = DrawnSteps(output);
        Assert.Equal(7, drawn.Count);
        Assert.Equal([0, 1, 2], drawn.Take(3));
        Assert.Equal(file.Expected.Step, drawn[^1]);
        Assert.Contains($"... {total - 7} of {total} steps left out (steps 3 to ", output, StringComparison.Ordinal);

        (code, output, err) = Run("show", path, "--max-steps", "1");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal([file.Expected.Step], DrawnSteps(output));

        (code, output, err) = Run("show", path, "--all-steps");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(total, DrawnSteps(output).Count);
        Assert.DoesNotContain("left out", output, StringComparison.Ordinal);

        (code, output, err) = Run("show", path, "--max-steps", total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(total, DrawnSteps(output).Count);
        Assert.DoesNotContain("left out", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_file_is_drawn_whole_by_default()
    {
        var (code, output, err) = Run("show", Path.Combine(TestFiles.Regressions, "v1-expand-made-raw-blocks-never-request-a-pass.json"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(Enumerable.Range(0, 10), DrawnSteps(output));
        Assert.DoesNotContain("left out", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("1000001")]
    [InlineData("99999999999999999999")]
    [InlineData("1.5")]
    public void A_bad_max_steps_is_one_error_line_naming_the_option_and_the_range(string value)
    {
        var (code, output, err) = Run("show", Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"), "--max-steps", value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --max-steps: ", line, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", line, StringComparison.Ordinal);
        Assert.Contains($"1 to {ShowCommand.MaxMaxSteps}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Int32", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_steps_and_all_steps_together_is_one_error_line()
    {
        var (code, _, err) = Run("show", Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"), "--max-steps", "5", "--all-steps");
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --all-steps and --max-steps", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_onto_a_folder_is_one_error_line_naming_html()
    {
        string dir = TestFiles.TempDir();
        var (code, output, err) = Run("show", Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"), "--html", dir);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: --html: {dir} is a folder, not a file", line);
    }

    [Fact]
    public void Html_into_a_missing_folder_is_one_error_line_naming_html()
    {
        string path = Path.Combine(TestFiles.TempDir(), "no", "such", "ce.html");
        var (code, _, err) = Run("show", Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"), "--html", path);
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --html: no such folder: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bounded_capture_records_only_the_drawn_steps_whatever_the_prediction()
    {
        var file = LongFile(200);
        var all = ScenarioStepper.Capture(file.Design, file.Scenario);
        foreach (int? expected in new int?[] { file.Expected.Step, null, 3, 0, 1_000_000 })
        {
            var bounded = ScenarioStepper.Capture(file.Design, file.Scenario, 10, expected);
            Assert.Equal(all.Count, bounded.Total);
            Assert.Equal(10, bounded.Steps.Count);
            Assert.Equal(all.Take(5).Concat(all.TakeLast(5)).Select(s => s.Step), bounded.Steps.Select(s => s.Step));
            Assert.Equal(TextRenderer.Render(file, all.TakeLast(5).ToList()).Split("\nStep ")[1..],
                TextRenderer.Render(file, bounded.Steps.TakeLast(5).ToList()).Split("\nStep ")[1..]);
            var gap = Assert.IsType<LeftOutSteps>(bounded.LeftOut);
            Assert.Equal(new LeftOutSteps(5, all.Count - 10, all[5].Step, all[^6].Step, all.Count), gap);
        }
        var whole = ScenarioStepper.Capture(file.Design, file.Scenario, all.Count, 3);
        Assert.Null(whole.LeftOut);
        Assert.Equal(all.Select(s => s.Step), whole.Steps.Select(s => s.Step));
    }

    [Fact]
    public void The_page_is_deterministic()
    {
        var file = LongFile(30);
        var a = ScenarioStepper.Capture(file.Design, file.Scenario, 12, file.Expected.Step);
        var b = ScenarioStepper.Capture(file.Design, file.Scenario, 12, null);
        Assert.Equal(HtmlRenderer.Render(file, a.Steps, a.LeftOut, "hint"), HtmlRenderer.Render(file, b.Steps, b.LeftOut, "hint"));
        Assert.Equal(TextRenderer.Render(file, a.Steps, a.LeftOut, "hint"), TextRenderer.Render(file, b.Steps, b.LeftOut, "hint"));
    }
}

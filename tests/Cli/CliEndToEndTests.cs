using Counterexamples;
using Xunit;

namespace Cli.Tests;

/// <summary>The CLI's entry point in-process: exit codes 0 / 1 / 2, option and file errors.</summary>
public sealed class CliEndToEndTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => TestFiles.RunCli(args);

    private static string Regression(string name) => Path.Combine(TestFiles.Regressions, name);

    [Fact]
    public void Check_passes_on_a_small_run_of_the_designs_that_hold()
    {
        var (code, output, err) = Run("check", "--no-concurrency", "--runs", "60", "--regressions", TestFiles.Regressions);
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.Contains("check summary", output, StringComparison.Ordinal);
        Assert.Contains("reachability facts", output, StringComparison.Ordinal);
        Assert.Contains("still fails as recorded", output, StringComparison.Ordinal);
        Assert.Contains("OK: no violation", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_finds_the_v1_violation_exits_1_and_writes_a_replayable_file()
    {
        string dir = TestFiles.TempDir();
        var (code, output, _) = Run("check", "--no-concurrency", "--design", "v1", "--runs", "300", "--batch", "300", "--skip-regressions", "--out", dir);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("VIOLATION under design v1", output, StringComparison.Ordinal);
        string file = Assert.Single(Directory.GetFiles(dir, "*.json"));
        var ce = CounterexampleLoader.Load(file);
        Assert.Equal("v1", ce.Design);
        Assert.Equal("v1-fixed", ce.FixedBy);
        var (replayCode, replayOut, _) = Run("replay", file);
        Assert.True(replayCode == ExitCodes.Ok, replayOut);
    }

    [Fact]
    public void The_same_seed_gives_the_same_file_and_summary_byte_for_byte()
    {
        string a = TestFiles.TempDir(), b = TestFiles.TempDir();
        var first = Run("check", "--no-concurrency", "--design", "v1", "--runs", "200", "--skip-regressions", "--out", a);
        var second = Run("check", "--no-concurrency", "--design", "v1", "--runs", "200", "--skip-regressions", "--out", b);
        Assert.Equal(first.Out.Replace(a, "OUT", StringComparison.Ordinal), second.Out.Replace(b, "OUT", StringComparison.Ordinal));
        var fa = Directory.GetFiles(a).Single();
        var fb = Directory.GetFiles(b).Single();
        Assert.Equal(File.ReadAllBytes(fa), File.ReadAllBytes(fb));
    }

    /// <summary>Checking every step in full (--full-checks) finds the same, shrinks to the same and says so in the same words as the default incremental check.</summary>
    [Fact]
    public void Full_checks_give_the_same_file_and_summary_as_incremental_ones()
    {
        string a = TestFiles.TempDir(), b = TestFiles.TempDir();
        var incremental = Run("check", "--no-concurrency", "--design", "v1", "--runs", "200", "--skip-regressions", "--out", a);
        var full = Run("check", "--no-concurrency", "--design", "v1", "--runs", "200", "--skip-regressions", "--full-checks", "--out", b);
        Assert.Equal(ExitCodes.Failed, incremental.Code);
        Assert.Equal(incremental.Out.Replace(a, "OUT", StringComparison.Ordinal), full.Out.Replace(b, "OUT", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Directory.GetFiles(a).Single()), File.ReadAllBytes(Directory.GetFiles(b).Single()));
    }

    [Fact]
    public void Shards_split_the_seed_batches_between_them()
    {
        var settings = CheckSettings.Default with { Runs = 1000, BatchSize = 100 };
        var all = settings.MyBatches().Select(b => b.Seed).ToList();
        var shards = Enumerable.Range(1, 3).SelectMany(i => (settings with { ShardIndex = i, ShardCount = 3 }).MyBatches().Select(b => b.Seed)).OrderBy(s => s).ToList();
        Assert.Equal(all, shards);
        var (code, output, _) = Run("check", "--no-concurrency", "--runs", "40", "--batch", "10", "--shard", "2/4", "--skip-regressions");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("shard 2/4", output, StringComparison.Ordinal);
        Assert.Matches("│ buddy +│ 10 ", output);
    }

    [Theory]
    [InlineData("check", "--no-such-option")]
    [InlineData("check", "--runs", "many")]
    [InlineData("frobnicate")]
    [InlineData("replay")]
    public void Unknown_options_and_commands_are_usage_errors(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runs", "0", "--runs")]
    [InlineData("--design", "v2", "--design")]
    [InlineData("--shard", "5/4", "--shard")]
    [InlineData("--shard", "x", "--shard")]
    [InlineData("--max-order", "30", "--max-order")]
    [InlineData("--zone-pages", "100", "--zone-pages")]
    [InlineData("--capacity", "0", "--capacity")]
    public void Bad_option_values_are_usage_errors_naming_the_option(string option, string value, string named)
    {
        var (code, _, err) = Run("check", option, value, "--skip-regressions");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_regression_exits_0()
    {
        var (code, output, _) = Run("replay", Regression("v1-fill-takes-isolated-blocks.json"));
        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("OK: reproduced under design 'v1'", output, StringComparison.Ordinal);
        Assert.Contains("OK: passes under the fix 'v1-fixed'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_diverging_file_exits_1_and_says_where()
    {
        string dir = TestFiles.TempDir();
        var file = CounterexampleLoader.Load(Regression("v1-expand-made-raw-blocks-never-request-a-pass.json"));
        var log = file.Log!.ToArray();
        log[4] = "host step -> the host did something else";
        string path = Path.Combine(dir, "diverged.json");
        CounterexampleWriter.Write(file with { Log = log }, path);
        var (code, output, _) = Run("replay", path);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("diverged from the file at step 5", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_malformed_file_exits_2_naming_the_field()
    {
        var (code, _, err) = Run("replay", Path.Combine(TestFiles.Malformed, "order-out-of-range.json"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("operations[3].order: 12 is out of range 0..10", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_a_missing_file_exits_2()
    {
        var (code, _, err) = Run("replay", "no/such/file.json");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no such file", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_draws_the_text_and_writes_the_html()
    {
        string html = Path.Combine(TestFiles.TempDir(), "ce.html");
        var (code, output, _) = Run("show", Regression("v1-expand-made-raw-blocks-never-request-a-pass.json"), "--html", html);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("VIOLATION: Progress", output, StringComparison.Ordinal);
        Assert.Contains("!", output, StringComparison.Ordinal);
        string page = File.ReadAllText(html);
        Assert.Contains("class=\"boundary\"", page, StringComparison.Ordinal);
        Assert.Contains("violation\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_exits_0()
    {
        var (code, output, _) = Run("check", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--shard", output, StringComparison.Ordinal);
    }
}

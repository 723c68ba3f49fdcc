using Xunit;

namespace Cli.Tests;

/// <summary>
/// `explore` and trace replay refuse misuse before building or running anything. (Exploring
/// itself builds and runs tests/Concurrency through the coyote tool; the concurrency tests cover
/// the scenarios, and the README shows the commands.)
/// </summary>
public sealed class ExploreUsageTests
{
    private static (int Code, string Err) Run(params string[] args)
    {
        var @out = new StringWriter();
        var err = new StringWriter();
        int code = CliApp.Run(args, @out, err);
        return (code, err.ToString());
    }

    [Theory]
    [InlineData(new[] { "explore", "--scenario", "nope" }, "--scenario: unknown scenario 'nope'")]
    [InlineData(new[] { "explore", "--scenario", "two-zones", "--design", "v2" }, "has no design 'v2'")]
    [InlineData(new[] { "explore", "--strategy", "dfs" }, "--strategy: unknown strategy 'dfs'")]
    [InlineData(new[] { "explore", "--iterations", "0" }, "--iterations: '0' is not a whole number from 1 to 100,000,000")]
    [InlineData(new[] { "explore", "--iterations", "-3" }, "--iterations: '-3' is not a whole number from 1 to 100,000,000")]
    [InlineData(new[] { "explore", "--seed", "4294967296" }, "--seed: '4294967296' is not a whole number from 0 to 4,294,967,295")]
    [InlineData(new[] { "explore", "--seeds", "0" }, "--seeds: '0' is not a whole number from 1 to 100,000")]
    [InlineData(new[] { "explore", "--seed", "4294967295", "--seeds", "2" }, "--seeds: 2 seeds from --seed 4294967295 go past 4,294,967,295")]
    [InlineData(new[] { "explore", "--frobnicate" }, "error: unknown option '--frobnicate' for 'explore'")]
    public void Explore_misuse_is_refused_with_exit_code_2_and_names_the_problem(string[] args, string expected)
    {
        var (code, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("System.", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Replaying_a_missing_trace_names_the_file()
    {
        var (code, err) = Run("replay", "no/such/ShutdownV1-pct-seed7.trace");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no such file: no/such/ShutdownV1-pct-seed7.trace", err);
    }

    [Fact]
    public void Replaying_a_trace_whose_scenario_cannot_be_told_asks_for_method()
    {
        string path = Path.Combine(TestFiles.TempDir(), "mystery.trace");
        File.Copy(Path.Combine(TestFiles.RepoRoot, "tests", "Concurrency", "traces", "scenario2-v1-shutdown-race.trace"), path);
        var (code, err) = Run("replay", path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("pass --method", err);
    }

    /// <summary>An empty, truncated or foreign .trace is misuse (exit 2) named in one line, before any build or tool run.</summary>
    [Theory]
    [InlineData("", "not a Coyote trace: the file is empty")]
    [InlineData("{ \"CoyoteVersion\": \"1.7.11.0\", \"Settings\": {", "not a Coyote trace: not valid JSON")]
    [InlineData("[1, 2]", "not a Coyote trace: expected a JSON object")]
    [InlineData("{ \"formatVersion\": 1 }", "not a Coyote trace: CoyoteVersion is missing")]
    [InlineData("{ \"CoyoteVersion\": \"1.7.11.0\", \"Settings\": {}, \"Steps\": [] }", "not a Coyote trace: it has no scheduling steps")]
    [InlineData("{ \"CoyoteVersion\": \"1.7.11.0\", \"Settings\": {}, \"Steps\": [3] }", "not a Coyote trace: Steps[0] is not a scheduling decision")]
    public void A_malformed_trace_is_refused_naming_the_problem(string text, string expected)
    {
        string path = Path.Combine(TestFiles.TempDir(), "ShutdownV1-pct-seed7.trace");
        File.WriteAllText(path, text);
        var (code, err) = Run("replay", path);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

using Counterexamples;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// What a new user tripped on (issue 8): every misuse is one line that names the option, field or
/// command in words, with no .NET type name; help says how to run the tool; check leaves nothing
/// behind it did not mean to and never replaces a counterexample file silently.
/// </summary>
public sealed class NewUserTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => TestFiles.RunCli(args);

    private static void AssertOneErrorLine(string err, string expected)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{err}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("System.", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "check", "--runs", "abc" }, "--runs: 'abc' is not a whole number from 1 to 10,000,000")]
    [InlineData(new[] { "check", "--runs", "99999999999" }, "--runs: '99999999999' is not a whole number from 1 to 10,000,000")]
    [InlineData(new[] { "check", "--max-order", "x" }, "--max-order: 'x' is not a whole number from 2 to 20")]
    [InlineData(new[] { "check", "--capacity", "33" }, "--capacity: '33' is not a whole number from 1 to 32")]
    [InlineData(new[] { "check", "--seed", "-1" }, "--seed: '-1' is not an unsigned integer")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate' (commands: check, replay, show, explore, minimize, exhaust, simulate, compare, help)")]
    [InlineData(new[] { "check", "--no-such-option" }, "unknown option '--no-such-option' for 'check'")]
    [InlineData(new string[0], "name a command: check, replay, show, explore, minimize, exhaust, simulate, compare, help")]
    [InlineData(new[] { "help", "frobnicate" }, "help: unknown command 'frobnicate'")]
    [InlineData(new[] { "check", "--design", "reporting", "--hwm", "2" }, "--hwm: only the v1 designs (v1, v1-fixed) have an aerator")]
    public void Misuse_is_one_line_naming_the_problem_in_words(string[] args, string expected)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        AssertOneErrorLine(err, expected);
    }

    [Fact]
    public void A_folder_given_as_a_file_is_called_a_folder()
    {
        string dir = TestFiles.TempDir();
        var (code, _, err) = Run("replay", dir);
        Assert.Equal(ExitCodes.Usage, code);
        AssertOneErrorLine(err, $"{dir} is a folder, not a file");
    }

    [Fact]
    public void A_block_number_beyond_32_bits_names_the_field_and_its_range()
    {
        string path = Path.Combine(TestFiles.TempDir(), "big-block.json");
        File.WriteAllText(path, """
            { "formatVersion": 1, "design": "v1", "zone": { "nrPages": 256, "maxOrder": 6, "pageblockOrder": 2 },
              "operations": [ { "op": "free_pages", "block": 4611686018427387904 } ],
              "expected": { "step": 1, "invariant": "x", "message": "y" } }
            """);
        var (code, _, err) = Run("replay", path);
        Assert.Equal(ExitCodes.Usage, code);
        AssertOneErrorLine(err, "operations[0].block: 4611686018427387904 is out of range -2147483648..2147483647");
    }

    [Theory]
    [InlineData(new[] { "--help" }, "dotnet run --project src/Cli -- [command] [options]")]
    [InlineData(new[] { "help" }, "dotnet run --project src/Cli -- [command] [options]")]
    [InlineData(new[] { "help", "check" }, "dotnet run --project src/Cli -- check [options]")]
    [InlineData(new[] { "explore", "--help" }, "dotnet run --project src/Cli -- explore [options]")]
    public void Help_says_how_to_run_the_tool(string[] args, string usage)
    {
        var (code, output, _) = Run(args);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains(usage, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Cli [", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explore_help_gives_each_default_once()
    {
        var (_, output, _) = Run("explore", "--help");
        Assert.Contains("[default: 1000]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Default ", output, StringComparison.Ordinal);
        Assert.Contains("--no-build", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_shard_is_refused_rather_than_reported_ok()
    {
        var (code, output, err) = Run("check", "--no-concurrency", "--runs", "100", "--shard", "2/3", "--skip-regressions");
        Assert.Equal(ExitCodes.Usage, code);
        AssertOneErrorLine(err, "--shard 2/3: this shard is empty: the run has only 1 seed batch(es)");
        Assert.DoesNotContain("OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_check_that_finds_nothing_makes_no_counterexamples_folder()
    {
        string outDir = Path.Combine(TestFiles.TempDir(), "nested", "counterexamples");
        var (code, output, err) = Run("check", "--no-concurrency", "--runs", "20", "--skip-regressions", "--out", outDir);
        Assert.True(code == ExitCodes.Ok, output + err);
        Assert.False(Directory.Exists(Path.GetDirectoryName(outDir)), "check made a folder for counterexamples it did not write");
    }

    [Fact]
    public void A_counterexample_file_is_never_replaced_silently()
    {
        string dir = TestFiles.TempDir();
        string[] args = ["check", "--no-concurrency", "--design", "v1", "--single-zone", "--runs", "300", "--skip-regressions", "--out", dir];
        var first = Run(args);
        Assert.Equal(ExitCodes.Failed, first.Code);
        string file = Assert.Single(Directory.GetFiles(dir));
        Assert.Equal("v1-seed20190619-content-contract.json", Path.GetFileName(file));

        var again = Run(args);
        Assert.Contains($"Counterexample already in {file} (the same file, left as it was)", again.Out, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(dir));

        string other = File.ReadAllText(file).Replace("\"seed\": 20190619", "\"seed\": 1", StringComparison.Ordinal);
        File.WriteAllText(file, other);
        var third = Run(args);
        string second = Path.Combine(dir, "v1-seed20190619-content-contract-2.json");
        Assert.Contains($"Counterexample written to {second} ({file} holds a different counterexample and was kept)", third.Out, StringComparison.Ordinal);
        Assert.Equal(other, File.ReadAllText(file));
        Assert.True(CounterexampleLoader.Load(second).Design == "v1");
    }

    [Fact]
    public void A_malformed_regression_file_is_misuse_not_a_finding()
    {
        string dir = TestFiles.TempDir();
        File.Copy(Path.Combine(TestFiles.Regressions, "v1-fill-takes-isolated-blocks.json"), Path.Combine(dir, "good.json"));
        File.Copy(Path.Combine(TestFiles.Malformed, "order-out-of-range.json"), Path.Combine(dir, "bad.json"));
        var (code, output, err) = Run("check", "--no-concurrency", "--runs", "10", "--regressions", dir);
        Assert.Equal(ExitCodes.Usage, code);
        AssertOneErrorLine(err, $"{Path.Combine(dir, "bad.json")}: malformed counterexample file: operations[");
        Assert.Contains("MALFORMED", output, StringComparison.Ordinal);
        Assert.DoesNotContain("check summary", output, StringComparison.Ordinal);
    }
}

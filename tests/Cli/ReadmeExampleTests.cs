using System.Text.RegularExpressions;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// Every `check` and `exhaust` example of the README that says what it finds (a trailing `# finds "Invariant"`)
/// is run as written, and must find exactly that invariant; the README cannot drift from the tool.
/// The examples run without their concurrency stage (ConcurrencyStageTests checks it): the stage
/// builds tests/Concurrency, which the solution's test run is using.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    [GeneratedRegex(@"^[ \t]*dotnet run --project src/Cli -- ((?:check|exhaust)[^#\n]*)#[ \t]*finds ""([^""\n]+)""$", RegexOptions.Multiline)]
    private static partial Regex FindingExample();

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (Match m in FindingExample().Matches(File.ReadAllText(Path.Combine(TestFiles.RepoRoot, "README.md"))))
            data.Add(m.Groups[1].Value.Trim(), m.Groups[2].Value);
        return data;
    }

    [Fact]
    public void The_readme_has_finding_examples()
    {
        Assert.True(Examples().Count >= 3, "the README's check examples that name a finding were not found");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_readme_example_finds_what_it_says(string command, string invariant)
    {
        string dir = TestFiles.TempDir();
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = words.Concat(words[0] == "check" ? ["--skip-regressions", "--no-concurrency", "--out", dir] : ["--out", dir]).ToArray();
        var (code, output, err) = TestFiles.RunCli(args);
        Assert.True(code == ExitCodes.Failed, $"exit {code}\n{output}{err}");
        Assert.Contains($"{invariant} violated", output, StringComparison.Ordinal);
        string file = Assert.Single(Directory.GetFiles(dir, "*.json"));
        Assert.EndsWith("-" + Regex.Replace(invariant.ToLowerInvariant(), "[^a-z0-9]+", "-") + ".json", file, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using Xunit;

namespace Concurrency;

/// <summary>
/// Every checked-in trace replays through Microsoft's own tool, `coyote replay`, on the
/// rewritten test assembly (the tool exits 2 when it reproduces a bug), as the README tells a
/// reviewer to run it; the harness's own replay of each trace is in the scenario tests.
/// </summary>
public sealed class CoyoteCliReplayTests
{
    /// <summary>Every checked-in trace, raw and minimized, with its scenario and what its bug says.</summary>
    public static TheoryData<string, string, string> Traces
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var (name, method, expect) in new[]
            {
                ("scenario2-v1-shutdown-race", "ShutdownV1", "a_dev_info is NULL"),
                ("scenario5-stale-boundary", "TwoZonesStaleBoundary", "points into zone"),
                ("ReportingUnregisterNoGracePeriod-pct-seed1", "ReportingUnregisterNoGracePeriod", "Device lifetime violated"),
                ("ReportingEndOfPassPlainStore-pct-seed1", "ReportingEndOfPassPlainStore", "Lost request"),
                ("ReportingFreezeNoFreezableWork-pct-seed1", "ReportingFreezeNoFreezableWork", "deleted by virtballoon_freeze"),
                ("ReportingDeadDeviceLostNotification-pct-seed1", "ReportingDeadDeviceLostNotification", "Deadlock"),
            })
            {
                data.Add(name + ".trace", method, expect);
                data.Add(name + ".min.trace", method, expect);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public async Task A_checked_in_trace_replays_with_the_coyote_tool(string trace, string method, string expect)
    {
        string root = RepositoryRoot();
        string dll = typeof(CoyoteCliReplayTests).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "tool", "run", "coyote", "--", "replay", dll, Path.Combine(root, "tests", "Concurrency", "traces", trace), "-m", $"Concurrency.Harness.EntryPoints.{method}" })
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_ROLL_FORWARD"] = "Major";
        psi.Environment["COYOTE_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        string all = await stdout + await stderr;
        Assert.True(p.ExitCode == 2, $"coyote replay exited {p.ExitCode} (2 means reproduced):\n{all}");
        Assert.Contains("Reproduced 1 bug", all, StringComparison.Ordinal);
        Assert.Contains(expect, all, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Verification.sln")))
                return d.FullName;
        throw new InvalidOperationException("Verification.sln not found above the test output");
    }
}

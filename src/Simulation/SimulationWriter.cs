using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Simulation;

/// <summary>
/// A run's results as files (`simulate --out DIR`): samples.csv and reports.csv (one row per
/// sample; one row per reported range, with its report's time and zone), result.json (the
/// same, nested), and index.html (SimulationChart's page). Deterministic: the same result gives
/// the same bytes (invariant culture, fixed column order, '\n' line ends).
/// </summary>
public static class SimulationWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Write every file of results into dir (created if missing); the paths written.</summary>
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<SimulationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(dir);
        var paths = new List<string>();
        foreach (var r in results)
        {
            string prefix = results.Count == 1 ? "" : r.Design + "-";
            paths.Add(WriteFile(dir, prefix + "samples.csv", SamplesCsv(r)));
            paths.Add(WriteFile(dir, prefix + "reports.csv", ReportsCsv(r)));
            paths.Add(WriteFile(dir, prefix + "result.json", ToJson(r)));
        }
        paths.Add(WriteFile(dir, "index.html", SimulationChart.Page(results)));
        return paths;
    }

    /// <summary>jiffies,seconds,host_backed_pages,returned_pages,refaults,re_reported_pages,reports,allocation_failures</summary>
    public static string SamplesCsv(SimulationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder("jiffies,seconds,host_backed_pages,returned_pages,refaults,re_reported_pages,reports,allocation_failures\n");
        foreach (var s in r.Samples)
            sb.Append(CultureInfo.InvariantCulture, $"{s.Jiffies},{Seconds(s.Jiffies)},{s.HostBackedPages},{s.ReturnedPages},{s.Refaults},{s.ReReportedPages},{s.Reports},{s.AllocationFailures}\n");
        return sb.ToString();
    }

    /// <summary>report,jiffies,seconds,zone,entries,gpa,bytes: one row per range, the report's number first (1-based).</summary>
    public static string ReportsCsv(SimulationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder("report,jiffies,seconds,zone,entries,gpa,bytes\n");
        for (int i = 0; i < r.Reports.Count; i++)
        {
            var e = r.Reports[i];
            foreach (var range in e.Ranges)
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1},{e.Jiffies},{Seconds(e.Jiffies)},{e.Zone},{e.Ranges.Count},0x{range.Gpa:x},{range.Bytes}\n");
        }
        return sb.ToString();
    }

    /// <summary>The result as indented JSON, camelCase names.</summary>
    public static string ToJson(SimulationResult r) => JsonSerializer.Serialize(r, Json).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    /// <summary>Jiffies as seconds with three decimals (HZ = 250: exact to the millisecond).</summary>
    public static string Seconds(long jiffies) => (jiffies / (decimal)SimulationResult.Hz).ToString("0.000", CultureInfo.InvariantCulture);

    private static string WriteFile(string dir, string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }
}

using System.Globalization;
using System.Net;
using System.Text;

namespace Simulation;

/// <summary>
/// One HTML page with an SVG line chart per series (host memory, refaults, reports) over virtual
/// time, every run overlaid in its own colour with a legend, so that `compare` shows the designs
/// side by side and `simulate` one. Plain SVG, no script: it renders the same in any browser and
/// as a file. Deterministic output.
/// </summary>
public static class SimulationChart
{
    private const int Width = 720, Height = 240, Left = 70, Right = 40, Top = 30, Bottom = 40;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];

    /// <summary>The charts a page has: title, unit, and the value of a sample.</summary>
    public static readonly IReadOnlyList<(string Title, string Unit, Func<SimulationSample, double> Value)> Series =
    [
        ("Memory the host backs", "MiB", s => s.HostBackedPages / 256.0),
        ("Refaults (touches of dropped pages)", "pages", s => s.Refaults),
        ("Reports received", "reports", s => s.Reports),
    ];

    /// <summary>The whole page for these runs.</summary>
    public static string Page(IReadOnlyList<SimulationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
            throw new ArgumentException("no run to chart", nameof(results));
        var sb = new StringBuilder();
        string title = results.Count == 1
            ? $"{results[0].Design}: {results[0].Workload} on a {results[0].GuestMiB} MiB guest"
            : $"{string.Join(", ", results.Select(r => r.Design))}: {results[0].Workload} on a {results[0].GuestMiB} MiB guest";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Html(title)).Append("</title>\n");
        sb.Append("<style>body{font-family:sans-serif;margin:20px} svg{display:block;margin-bottom:24px} .axis{stroke:#444} .grid{stroke:#ddd} text{font-size:12px}</style>\n");
        sb.Append("</head>\n<body>\n<h1>").Append(Html(title)).Append("</h1>\n");
        foreach (var (name, unit, value) in Series)
            Chart(sb, name, unit, value, results);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Chart(StringBuilder sb, string name, string unit, Func<SimulationSample, double> value, IReadOnlyList<SimulationResult> results)
    {
        long tMax = Math.Max(1, results.SelectMany(r => r.Samples).Select(s => s.Jiffies).DefaultIfEmpty(1).Max());
        double vMax = results.SelectMany(r => r.Samples).Select(value).DefaultIfEmpty(0).Max();
        vMax = vMax <= 0 ? 1 : NiceCeiling(vMax);
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height + 20 * results.Count}\" role=\"img\" aria-label=\"{Html(name)}\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-weight=\"bold\">{Html(name)} ({Html(unit)})</text>\n");
        for (int i = 0; i <= 4; i++)
        {
            double y = Top + plotH - plotH * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Left + plotW}\" y2=\"{F(y)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{F(vMax * i / 4)}</text>\n");
        }
        for (int i = 0; i <= 4; i++)
        {
            double x = Left + plotW * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{F(tMax * i / 4.0 / SimulationResult.Hz)} s</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/><line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/>\n");
        for (int k = 0; k < results.Count; k++)
        {
            var r = results[k];
            string colour = Colours[k % Colours.Length];
            var points = r.Samples.Select(s => $"{F(Left + plotW * (double)s.Jiffies / tMax)},{F(Top + plotH - plotH * value(s) / vMax)}");
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"><title>{Html(r.Design)}</title></polyline>\n");
            double ly = Height + 20 * k;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{F(ly - 10)}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{Left + 18}\" y=\"{F(ly)}\">{Html(r.Design)}</text>\n");
        }
        sb.Append("</svg>\n");
    }

    /// <summary>1, 2 or 5 times a power of ten, at least v: a round top for an axis.</summary>
    public static double NiceCeiling(double v)
    {
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (m * p >= v)
                return m * p;
        return 10 * p;
    }

    private static string F(double v) => Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Html(string s) => WebUtility.HtmlEncode(s);
}

using System.Globalization;
using System.Net;
using System.Text;
using S3Overlay.Web;

namespace S3Overlay.Telemetry.Status;

/// <summary>
/// The status page's charts of the last hour: plain SVG drawn on the server, one bar per minute,
/// no script (the page must work offline and under a strict CSP). Each bar carries a
/// <c>&lt;title&gt;</c> with its figures, shown as a tooltip and read by screen readers.
/// </summary>
internal static class StatusCharts
{
    private const int Width = 600, Height = 110, Top = 14, Bottom = 16;
    private const string Local = "#2f6fb0", Remote = "#e08a2c", Fills = "#6a5acd";

    private readonly record struct Segment(double Value, string Color);

    public static void Render(StringBuilder html, IReadOnlyList<MinuteSample> samples)
    {
        html.Append("<h2>Last hour</h2>");
        Chart(html, "Hit ratio per minute", samples, 1, "100 %",
            s => s.HitRatio is { } r ? [new Segment(r, Local)] : [],
            s => s.HitRatio is { } r ? $"hit ratio {r * 100:0.#} % ({s.Hits} of {s.Found} reads)" : "no reads");
        var maxBytes = Math.Max(1, samples.Max(s => s.LocalBytes + s.RemoteBytes));
        Chart(html, "Bytes served per minute: local (blue) and remote (orange)", samples, maxBytes, ByteSize.Format(maxBytes),
            s => [new Segment(s.LocalBytes, Local), new Segment(s.RemoteBytes, Remote)],
            s => $"local {ByteSize.Format(s.LocalBytes)}, remote {ByteSize.Format(s.RemoteBytes)}");
        var maxFills = Math.Max(1, samples.Max(s => s.FillsInFlight));
        Chart(html, "Fills in flight (most seen per minute)", samples, maxFills, maxFills.ToString(CultureInfo.InvariantCulture),
            s => [new Segment(s.FillsInFlight, Fills)],
            s => $"{s.FillsInFlight} fills in flight");
    }

    private static void Chart(StringBuilder html, string title, IReadOnlyList<MinuteSample> samples, double max, string maxLabel,
        Func<MinuteSample, Segment[]> segments, Func<MinuteSample, string> describe)
    {
        var barWidth = (double)Width / samples.Count;
        var plot = Height - Top - Bottom;
        html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Encode(title)}</figcaption>")
            .Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{Top}\" x2=\"{Width}\" y2=\"{Top}\" stroke=\"#e3e6ea\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{Height - Bottom}\" x2=\"{Width}\" y2=\"{Height - Bottom}\" stroke=\"#999\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"10\" font-size=\"10\" fill=\"#666\">{Encode(maxLabel)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{Height - 3}\" font-size=\"10\" fill=\"#666\">−60 min</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 2}\" y=\"{Height - 3}\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">now</text>");
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            var x = i * barWidth;
            double y = Height - Bottom;
            html.Append("<g><title>").Append(Encode($"{sample.Start:HH:mm} UTC: {describe(sample)}")).Append("</title>")
                // An invisible full-height bar so the tooltip shows on quiet minutes too.
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.##}\" y=\"{Top}\" width=\"{barWidth:0.##}\" height=\"{plot}\" fill=\"transparent\"/>");
            foreach (var segment in segments(sample))
            {
                var h = segment.Value / max * plot;
                if (h <= 0) continue;
                y -= h;
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + 0.5:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(barWidth - 1, 1):0.##}\" height=\"{h:0.##}\" fill=\"{segment.Color}\"/>");
            }
            html.Append("</g>");
        }
        html.Append("</svg></figure>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

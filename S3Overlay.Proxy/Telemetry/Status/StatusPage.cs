using System.Globalization;
using System.Net;
using System.Text;

namespace S3Overlay.Telemetry.Status;

/// <summary>The HTML form of <c>/_overlay/status</c>: one small self-contained page that refreshes itself.</summary>
internal static class StatusPage
{
    private const string Style = """
        body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:42rem;color:#222;padding:0 1rem}
        h1{font-size:1.3rem;margin-bottom:.2rem} p.sub{color:#666;margin-top:0}
        .big{display:flex;gap:1rem;margin:1.2rem 0}
        .big div{flex:1;background:#f4f6f8;border-radius:8px;padding:.8rem 1rem}
        .big b{display:block;font-size:1.6rem} .big span{color:#555;font-size:.85rem}
        table{border-collapse:collapse;width:100%;margin:.6rem 0 1.4rem}
        th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e6ea}
        td.n{text-align:right;font-variant-numeric:tabular-nums} h2{font-size:1rem;margin-bottom:0}
        figure{margin:.6rem 0 1rem} figcaption{color:#555;font-size:.85rem} svg.chart{width:100%;height:auto;display:block}
        """;

    public static string Render(OverlayStatus s, IReadOnlyList<MinuteSample> lastHour, Overlay.Fleet.FleetStatus? fleet = null, Lifecycle.LifecycleStatus? lifecycle = null,
        Overlay.Events.RemoteEventsStatus? events = null, Notifications.Delivery.NotificationStatus? notifications = null)
    {
        var html = new StringBuilder(2048);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
            .Append("<title>S3 Overlay status</title><style>").Append(Style).Append("</style></head><body>")
            .Append("<h1>S3 Overlay</h1><p class=\"sub\">Since ").Append(Encode(s.Since.ToString("u", CultureInfo.InvariantCulture)))
            .Append(" &middot; up ").Append(Encode(Duration(s.Now - s.Since)))
            .Append(" &middot; <a href=\"?format=json\">JSON</a></p>");

        html.Append("<div class=\"big\">");
        Figure(html, Percent(s.HitRatio), "hit ratio (reads served locally)");
        Figure(html, Percent(s.ByteHitRatio), "bytes served locally");
        Figure(html, s.CacheSizeBytes is { } size ? Size(size) : "n/a", "cache size");
        html.Append("</div>");

        StatusCharts.Render(html, lastHour);

        html.Append("<h2>Reads by result</h2><table>");
        foreach (var (result, count) in s.RequestsByResult.OrderBy(r => r.Key, StringComparer.Ordinal))
            Row(html, result, count.ToString("N0", CultureInfo.InvariantCulture));
        Row(html, "total", s.Requests.ToString("N0", CultureInfo.InvariantCulture));
        html.Append("</table>");

        html.Append("<h2>Bytes</h2><table>");
        Row(html, "served from the local store", Size(s.LocalBytes));
        Row(html, "served from the remote", Size(s.RemoteBytes));
        Row(html, "fetched from the remote", Size(s.FetchedBytes));
        html.Append("</table>");

        html.Append("<h2>Fills</h2><table>");
        Row(html, "in flight", s.FillsInFlight.ToString(CultureInfo.InvariantCulture));
        Row(html, "completed", s.FillsCompleted.ToString("N0", CultureInfo.InvariantCulture));
        Row(html, "average duration", s.AverageFillSeconds is { } avg ? $"{avg * 1000:0.#} ms" : "n/a");
        Row(html, "reads coalesced onto a fill", s.CoalescedWaiters.ToString("N0", CultureInfo.InvariantCulture));
        html.Append("</table>");
        if (fleet is not null) RenderFleet(html, fleet);
        if (lifecycle is not null) RenderLifecycle(html, lifecycle);
        if (events is not null) RenderEvents(html, events);
        if (notifications is not null) RenderNotifications(html, notifications);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void RenderFleet(StringBuilder html, Overlay.Fleet.FleetStatus fleet)
    {
        html.Append("<h2>Fleet</h2><table>");
        Row(html, "misses forwarded to their owner", fleet.Forwarded.ToString("N0", CultureInfo.InvariantCulture));
        Row(html, "misses filled here", fleet.FilledHere.ToString("N0", CultureInfo.InvariantCulture));
        Row(html, "of which for peers", fleet.FilledForPeers.ToString("N0", CultureInfo.InvariantCulture));
        foreach (var peer in fleet.Peers)
            Row(html, peer.Url, peer.State == "self" ? "this replica" : $"{peer.State}, {peer.Forwarded:N0} forwarded, {peer.Failures:N0} failed");
        html.Append("</table>");
    }

    private static void RenderLifecycle(StringBuilder html, Lifecycle.LifecycleStatus lifecycle)
    {
        html.Append("<h2>Lifecycle</h2><table>");
        Row(html, "scans every", Duration(TimeSpan.FromSeconds(lifecycle.IntervalSeconds)));
        if (lifecycle.Running is { } running)
            Row(html, "scan under way", FormattableString.Invariant($"since {running.Started:u}, bucket {running.BucketsScanned:N0} of {running.Buckets:N0}, {running.ObjectsExamined:N0} objects examined, {running.ObjectsExpired:N0} expired"));
        if (lifecycle.Last is { } last)
        {
            Row(html, "last scan", FormattableString.Invariant($"{last.Started:u}, took {Duration(last.Finished!.Value - last.Started)}"));
            Row(html, "objects examined / expired", FormattableString.Invariant($"{last.ObjectsExamined:N0} / {last.ObjectsExpired:N0}"));
            Row(html, "uploads aborted", last.UploadsAborted.ToString("N0", CultureInfo.InvariantCulture));
            Row(html, "buckets scanned / failed", FormattableString.Invariant($"{last.BucketsScanned:N0} / {last.Failures:N0}"));
        }
        else if (lifecycle.Running is null) Row(html, "last scan", "none yet");
        var total = lifecycle.SinceStart;
        Row(html, "since start", FormattableString.Invariant($"{total.Scans:N0} scans, {total.ObjectsExpired:N0} objects expired, {total.UploadsAborted:N0} uploads aborted"));
        html.Append("</table>");
    }

    private static void RenderEvents(StringBuilder html, Overlay.Events.RemoteEventsStatus events)
    {
        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        var c = events.Counts;
        html.Append("<h2>The remote's events</h2><table>");
        Row(html, "over HTTP", events.Http ? "POST /_overlay/events" : "off");
        if (events.AmqpBroker is { } broker)
            Row(html, "over AMQP", $"{broker}, {(events.AmqpConnected == true ? "connected" : "not connected" + (events.AmqpError is { } e ? $" ({e})" : ""))}");
        Row(html, "received / applied", $"{N(c.Received)} / {N(c.Applied)}");
        Row(html, "ignored: stale / unmapped / not a change", $"{N(c.Stale)} / {N(c.Unmapped)} / {N(c.NotChanges)}");
        Row(html, "deliveries refused", N(c.Refused));
        Row(html, "last event", c.LastEventAgeSeconds is { } age ? Duration(TimeSpan.FromSeconds(age)) + " ago" : "none yet");
        Row(html, "reconciles / copies they dropped", $"{N(c.Reconciles)} / {N(c.ReconcileDropped)}");
        if (events.LastReconcile is { } last)
            Row(html, "last reconcile", FormattableString.Invariant($"{last.At:u} ({last.Reason}): ") + (last.Error is { } error ? "failed: " + error : N(last.Dropped) + " dropped"));
        html.Append("</table>");
    }

    private static void RenderNotifications(StringBuilder html, Notifications.Delivery.NotificationStatus notifications)
    {
        html.Append("<h2>Notifications</h2><table>");
        Row(html, "outbox", FormattableString.Invariant($"{notifications.OutboxBytes:N0} bytes, {notifications.RefusedWrites:N0} writes refused while full"));
        foreach (var t in notifications.Targets)
            Row(html, t.Arn, FormattableString.Invariant($"{t.Queued:N0} queued, {t.Delivered:N0} delivered, {t.FailedAttempts:N0} failed attempts (retried), {t.Redelivered:N0} sent again after a restart")
                + (t.OldestUndeliveredSeconds is { } age ? FormattableString.Invariant($", oldest waiting {age:0.#} s") : ""));
        html.Append("</table>");
    }

    private static void Figure(StringBuilder html, string value, string label) =>
        html.Append("<div><b>").Append(Encode(value)).Append("</b><span>").Append(Encode(label)).Append("</span></div>");

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Encode(name)).Append("</th><td class=\"n\">").Append(Encode(value)).Append("</td></tr>");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "n/a";

    private static string Duration(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : $"{(int)t.TotalMinutes} min {t.Seconds} s";

    private static string Size(long bytes) => S3Overlay.Web.ByteSize.Format(bytes);
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using S3Overlay.Web;

namespace S3Overlay.Cli.Admin;

/// <summary><c>s3overlay status</c>: the figures of <c>/_overlay/status</c>, for a terminal.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var server = new ServerOptions();
        var json = new Option<bool>("--json") { Description = "Print the server's JSON as it is" };
        var command = new Command("status", "Show a running server's figures: requests, hit ratio, bytes by source, fills") { json };
        server.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = server.Connect(result);
            var status = await client.SendAsync(HttpMethod.Get, "status?format=json", ct);
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json)) output.WriteLine(status.GetRawText());
            else Write(status, output);
            return 0;
        });
        return command;
    }

    private static void Write(JsonElement s, TextWriter output)
    {
        var requests = s.GetProperty("requests");
        var byResult = string.Join(", ", requests.GetProperty("byResult").EnumerateObject().Select(p => $"{p.Name} {p.Value}"));
        var bytes = s.GetProperty("bytes");
        var fills = s.GetProperty("fills");
        output.WriteLine($"up since      {s.GetProperty("since").GetDateTimeOffset():u} ({s.GetProperty("uptimeSeconds").GetDouble().ToString(CultureInfo.InvariantCulture)} s)");
        output.WriteLine($"requests      {requests.GetProperty("total")}{(byResult.Length > 0 ? $" ({byResult})" : "")}");
        output.WriteLine($"hit ratio     {Percent(s.GetProperty("hitRatio"))} of reads, {Percent(s.GetProperty("byteHitRatio"))} of bytes");
        output.WriteLine($"bytes served  {Size(bytes, "local")} local, {Size(bytes, "remote")} remote ({Size(bytes, "fetchedFromRemote")} fetched)");
        output.WriteLine($"fills         {fills.GetProperty("inFlight")} in flight, {fills.GetProperty("completed")} completed, {fills.GetProperty("coalescedWaiters")} coalesced readers");
        var cache = s.GetProperty("cacheSizeBytes");
        output.WriteLine($"cache         {(cache.ValueKind == JsonValueKind.Number ? ByteSize.Format(cache.GetInt64()) : "off (no remote)")}");
        WriteLifecycle(s, output);
        if (!s.TryGetProperty("fleet", out var fleet)) return;
        output.WriteLine($"fleet         {fleet.GetProperty("forwarded")} misses forwarded to their owner, {fleet.GetProperty("filledHere")} filled here ({fleet.GetProperty("filledForPeers")} for peers)");
        foreach (var peer in fleet.GetProperty("peers").EnumerateArray())
            output.WriteLine($"  {peer.GetProperty("url").GetString(),-30} {peer.GetProperty("state").GetString(),-5} {peer.GetProperty("forwarded")} forwarded, {peer.GetProperty("failures")} failed");
    }

    private static void WriteLifecycle(JsonElement s, TextWriter output)
    {
        if (!s.TryGetProperty("lifecycle", out var lifecycle)) return;
        if (lifecycle.TryGetProperty("running", out var running) && running.ValueKind == JsonValueKind.Object)
            output.WriteLine($"lifecycle     scan under way since {running.GetProperty("started").GetDateTimeOffset():u}: bucket {running.GetProperty("bucketsScanned")} of {running.GetProperty("buckets")}, {running.GetProperty("objectsExamined")} objects examined, {running.GetProperty("objectsExpired")} expired");
        if (lifecycle.TryGetProperty("last", out var last) && last.ValueKind == JsonValueKind.Object)
            output.WriteLine($"lifecycle     last scan {last.GetProperty("started").GetDateTimeOffset():u}: {last.GetProperty("objectsExpired")} of {last.GetProperty("objectsExamined")} objects expired, {last.GetProperty("uploadsAborted")} uploads aborted, {last.GetProperty("bucketsScanned")} buckets ({last.GetProperty("failures")} failed)");
        else output.WriteLine("lifecycle     no scan finished yet");
        if (lifecycle.TryGetProperty("sinceStart", out var total) && total.ValueKind == JsonValueKind.Object)
            output.WriteLine($"lifecycle     since start: {total.GetProperty("scans")} scans, {total.GetProperty("objectsExpired")} objects expired, {total.GetProperty("uploadsAborted")} uploads aborted");
    }

    private static string Percent(JsonElement ratio) =>
        ratio.ValueKind == JsonValueKind.Number ? ratio.GetDouble().ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    private static string Size(JsonElement figures, string name) => ByteSize.Format(figures.GetProperty(name).GetInt64());
}

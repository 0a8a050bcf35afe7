using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using S3Overlay.Signing;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>An HTTP/1.1 request written byte for byte to a socket: targets and headers go out exactly as made, malformed or not.</summary>
public sealed class RawRequest(string method, string target)
{
    public string Method { get; } = method;
    public string Target { get; set; } = target;
    public List<(string Name, string Value)> Headers { get; } = [];
    public byte[] Body { get; set; } = [];
    /// <summary>Content-Length as sent; null sends the body's length.</summary>
    public string? ContentLength { get; set; }
    /// <summary>Signs with SigV4 (after the other headers are set) unless false.</summary>
    public bool Signed { get; set; } = true;
    /// <summary>The key pair it is signed with: the proxy's unless told (another server's).</summary>
    public string AccessKey { get; init; } = ProxyServer.AccessKey;
    public string SecretKey { get; init; } = ProxyServer.SecretKey;
    /// <summary>Sends the head and the body's first Bytes, then waits (or until the server answers) before the rest.</summary>
    public (int Bytes, TimeSpan Wait)? Pause { get; init; }
    /// <summary>What made this request, for the failure report.</summary>
    public string Description { get; set; } = "";

    public RawRequest Header(string name, string value)
    {
        Headers.Add((name, value));
        return this;
    }

    public byte[] Encode(string host)
    {
        var headers = new List<(string Name, string Value)>(Headers) { ("host", host) };
        if (Signed && !Headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            var timestamp = DateTimeOffset.UtcNow.ToString(SigV4.TimestampFormat, CultureInfo.InvariantCulture);
            if (!headers.Any(h => h.Name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase)))
                headers.Add(("x-amz-content-sha256", Convert.ToHexStringLower(SHA256.HashData(Body))));
            if (!headers.Any(h => h.Name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase)))
                headers.Add(("x-amz-date", timestamp));
            var payload = headers.First(h => h.Name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase)).Value;
            headers.Add(("Authorization", RequestSigner.Authorization(Method, Target, headers, payload, timestamp, AccessKey, SecretKey)));
        }
        var text = new StringBuilder($"{Method} {Target} HTTP/1.1\r\n");
        foreach (var (name, value) in headers) text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("Content-Length: ").Append(ContentLength ?? Body.Length.ToString()).Append("\r\nConnection: close\r\n\r\n");
        return [.. Encoding.UTF8.GetBytes(text.ToString()), .. Body];
    }

    /// <summary>Sends the request on a new connection and reads the answer to the end (the server closes it).</summary>
    public async Task<RawResponse?> SendAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, ct);
        var stream = client.GetStream();
        var request = Encode($"127.0.0.1:{port}");
        var first = Pause is { } pause ? request.Length - Body.Length + pause.Bytes : request.Length;
        var received = new MemoryStream();
        if (!await TryWriteAsync(stream, request.AsMemory(0, first), ct)) return await ReadAnswerAsync(stream, received, ct);
        var answer = ReadAnswerAsync(stream, received, ct);
        if (first < request.Length && await Task.WhenAny(answer, Task.Delay(Pause!.Value.Wait, ct)) != answer)
            await TryWriteAsync(stream, request.AsMemory(first), ct);
        return await answer;
    }

    /// <summary>False when the server answered (400, 413) and closed before it read all of a malformed request.</summary>
    private static async Task<bool> TryWriteAsync(NetworkStream stream, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(bytes, ct);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<RawResponse?> ReadAnswerAsync(NetworkStream stream, MemoryStream received, CancellationToken ct)
    {
        try
        {
            await stream.CopyToAsync(received, ct);
        }
        catch (IOException) when (received.Length > 0)
        {
        }
        return RawResponse.Parse(received.ToArray());
    }
}

/// <summary>A parsed HTTP/1.1 answer (Content-Length or chunked body).</summary>
public sealed record RawResponse(int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public static RawResponse? Parse(byte[] data)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        var lines = Encoding.UTF8.GetString(data, 0, end).Split("\r\n");
        var parts = lines[0].Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], out var status)) return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = data.AsSpan(end + 4).ToArray();
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        return new RawResponse(status, headers, body);
    }

    private static byte[] Dechunk(byte[] body)
    {
        var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var eol = body.AsSpan(at).IndexOf("\r\n"u8);
            if (eol < 0) break;
            var sizeText = Encoding.ASCII.GetString(body, at, eol).Split(';')[0];
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, null, out var size) || size == 0) break;
            at += eol + 2;
            output.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }
        return output.ToArray();
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A read as smart_open and HTTP range readers seek: <c>Range: bytes=X-</c> on a connection of
/// its own, a few bytes taken of the rest of the object, and gone.
/// </summary>
internal static class OpenEndedRead
{
    /// <summary>
    /// Opens <c>bytes=<paramref name="offset"/>-</c> of <paramref name="key"/> (a pattern object of
    /// <paramref name="size"/> bytes, <paramref name="seed"/>) over <paramref name="connection"/>,
    /// checks its first <paramref name="count"/> bytes and hangs up.
    /// </summary>
    public static async Task TakeAsync(OverlayEnvironment env, string key, long size, int seed, long offset, int count, HttpMessageHandler connection)
    {
        using var http = new HttpClient(new SigningHandler(inner: connection)) { BaseAddress = new Uri(env.Proxy.Url + "/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{env.Bucket}/{key}");
        request.Headers.Range = new RangeHeaderValue(offset, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(size - offset, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var read = new byte[count];
        await body.ReadExactlyAsync(read);
        var expected = new byte[count];
        PatternData.Fill(expected, offset, seed);
        Assert.Equal(expected, read);
    }
}

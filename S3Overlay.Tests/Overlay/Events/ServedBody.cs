using System.Net;
using Amazon.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>What the proxy serves of a small text object, as a client sees it.</summary>
internal static class ServedBody
{
    /// <returns>The body; null for a 404 NoSuchKey.</returns>
    public static async Task<string?> ReadAsync(OverlayEnvironment env, string key)
    {
        try
        {
            using var response = await env.Client.GetObjectAsync(env.Bucket, key);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
    }
}

using System.Net;
using Amazon.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>What the proxy serves of a small text object, as a client sees it.</summary>
internal static class ServedBody
{
    /// <returns>The body; null for a 404 NoSuchKey.</returns>
    public static Task<string?> ReadAsync(OverlayEnvironment env, string key) => ReadAsync(env.Client, env.Bucket, key);

    /// <returns>The body; null for a 404 NoSuchKey.</returns>
    public static async Task<string?> ReadAsync(IAmazonS3 client, string bucket, string key)
    {
        try
        {
            using var response = await client.GetObjectAsync(bucket, key);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
    }
}

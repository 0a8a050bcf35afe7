using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace S3Overlay.Tests.Reliability;

/// <summary>How the load's client wrote an object: in the clear, SSE-S3 (sealed by the proxy's master key) or SSE-C (its own key).</summary>
public enum LoadSealing
{
    None,
    SseS3,
    SseC,
}

/// <summary>
/// Encryption at rest in the load: each client's writes pick a sealing at random, and every read
/// of what it wrote sends the SSE-C key when one was used and checks the answer says the sealing
/// the write asked for (the bytes are checked by the caller).
/// </summary>
public static class LoadEncryption
{
    /// <summary>The proxy's master key in the load (<c>S3_OVERLAY_KMS_SECRET_KEY</c>): SSE-S3 works only with one.</summary>
    public const string MasterKey = "load-key:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public static LoadSealing Pick(Random random) => (LoadSealing)random.Next(3);

    /// <summary>Each client's own SSE-C key (base64 of 32 bytes), the same for all its writes.</summary>
    public static string CustomerKey(int client) => Convert.ToBase64String(SHA256.HashData(BitConverter.GetBytes(client)));

    public static void Seal(PutObjectRequest put, LoadSealing sealing, int client)
    {
        if (sealing == LoadSealing.SseS3) put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
        if (sealing == LoadSealing.SseC) (put.ServerSideEncryptionCustomerMethod, put.ServerSideEncryptionCustomerProvidedKey) = (ServerSideEncryptionCustomerMethod.AES256, CustomerKey(client));
    }

    public static void Unseal(GetObjectRequest get, LoadSealing sealing, int client)
    {
        if (sealing == LoadSealing.SseC) (get.ServerSideEncryptionCustomerMethod, get.ServerSideEncryptionCustomerProvidedKey) = (ServerSideEncryptionCustomerMethod.AES256, CustomerKey(client));
    }

    public static void Unseal(GetObjectMetadataRequest head, LoadSealing sealing, int client)
    {
        if (sealing == LoadSealing.SseC) (head.ServerSideEncryptionCustomerMethod, head.ServerSideEncryptionCustomerProvidedKey) = (ServerSideEncryptionCustomerMethod.AES256, CustomerKey(client));
    }

    /// <summary>Null, or what is wrong with the sealing an answer names (its headers) for an object written with <paramref name="sealing"/>.</summary>
    public static string? Mismatch(ServerSideEncryptionMethod? method, ServerSideEncryptionCustomerMethod? customer, LoadSealing sealing)
    {
        var said = customer == ServerSideEncryptionCustomerMethod.AES256 ? LoadSealing.SseC
            : method == ServerSideEncryptionMethod.AES256 ? LoadSealing.SseS3 : LoadSealing.None;
        return said == sealing ? null : $"written {sealing}, the answer says {said}";
    }
}

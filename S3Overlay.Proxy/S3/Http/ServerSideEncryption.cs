using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Http;

/// <summary>
/// Server-side encryption is not implemented: a write that asks for it (SSE-S3, SSE-KMS or a
/// customer's key) is refused, as MinIO refuses it without a KMS, rather than stored in the clear
/// while the client believes it is encrypted.
/// </summary>
public static class ServerSideEncryption
{
    private static readonly string[] Managed =
    [
        "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
    ];

    private static readonly string[] CustomerKey =
    [
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
        "x-amz-server-side-encryption-customer-key-MD5",
        "x-amz-copy-source-server-side-encryption-customer-algorithm", "x-amz-copy-source-server-side-encryption-customer-key",
        "x-amz-copy-source-server-side-encryption-customer-key-MD5",
    ];

    /// <summary>NotImplemented (501) when the request asks for server-side encryption of any kind.</summary>
    public static void RefuseIfAsked(HttpRequest request)
    {
        if (Managed.Any(request.Headers.ContainsKey))
            throw new S3Exception(S3Error.NotImplemented.WithMessage("Server side encryption specified but KMS is not configured"));
        if (CustomerKey.Any(request.Headers.ContainsKey))
            throw new S3Exception(S3Error.NotImplemented.WithMessage("Server side encryption with a customer-provided key is not implemented"));
    }
}

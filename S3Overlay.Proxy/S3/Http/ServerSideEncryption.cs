using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.S3.Http;

/// <summary>
/// The encryption headers of S3 requests and answers: SSE-S3 (<c>x-amz-server-side-encryption: AES256</c>),
/// SSE-KMS (<c>aws:kms</c>, with the master key as the one KMS key, see <see cref="EncryptionKind.Kms"/>)
/// and SSE-C (<c>x-amz-server-side-encryption-customer-*</c>, and <c>x-amz-copy-source-…</c> for a
/// copy's source), checked as S3 checks them before any body is read. What no master key can honour
/// (DSSE-KMS, an encryption context) is refused: storing in the clear what a client believes
/// encrypted is never an option.
/// </summary>
internal static class ServerSideEncryption
{
    public const string Header = "x-amz-server-side-encryption";
    private const string Customer = "x-amz-server-side-encryption-customer-";
    public const string CopySourceCustomer = "x-amz-copy-source-server-side-encryption-customer-";
    private const string KmsKeyId = "x-amz-server-side-encryption-aws-kms-key-id";

    private static readonly string[] KmsOnly = ["x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled"];

    /// <summary>The encryption a write asks for (SSE-S3, SSE-KMS or SSE-C); null when it asks for none (the bucket's default applies).</summary>
    public static ObjectEncryption? ForWrite(HttpRequest request)
    {
        var customer = CustomerKey(request);
        var managed = request.Headers[Header].ToString();
        var keyId = request.Headers[KmsKeyId].ToString();
        if (KmsOnly.Any(request.Headers.ContainsKey) || managed == "aws:kms:dsse")
            throw new S3Exception(S3Error.NotImplemented.WithMessage("An encryption context, S3 Bucket Keys and DSSE-KMS need a KMS; the one key here is S3_OVERLAY_KMS_SECRET_KEY's: use aws:kms or AES256 without them."));
        if (keyId.Length > 0 && managed != "aws:kms")
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")).With("ArgumentName", Header);
        if (managed.Length == 0) return customer;
        if (managed is not ("AES256" or "aws:kms"))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("The encryption method specified is not supported")).With("ArgumentName", Header);
        if (customer is not null)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Server Side Encryption with Customer provided key is incompatible with the encryption method specified")).With("ArgumentName", Header);
        return managed == "AES256" ? ObjectEncryption.Managed : ObjectEncryption.Kms(keyId.Length > 0 ? keyId : null);
    }

    /// <summary>
    /// The customer's key of a request that may name no other encryption (a read, a part of an
    /// upload): S3 refuses <c>x-amz-server-side-encryption</c> there, the object or upload already
    /// says how it is encrypted.
    /// </summary>
    public static ObjectEncryption? CustomerKeyOnly(HttpRequest request)
    {
        if (request.Headers.ContainsKey(Header) || request.Headers.ContainsKey(KmsKeyId))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("x-amz-server-side-encryption header is not supported for this operation.")).With("ArgumentName", Header);
        return CustomerKey(request);
    }

    /// <summary>The customer's key a request sends (<paramref name="prefix"/> names the copy source's); null when none.</summary>
    public static ObjectEncryption? CustomerKey(HttpRequest request, string prefix = Customer)
    {
        var algorithm = request.Headers[prefix + "algorithm"].ToString();
        var key = request.Headers[prefix + "key"].ToString();
        var md5 = request.Headers[prefix + "key-MD5"].ToString();
        if (algorithm.Length == 0 && key.Length == 0 && md5.Length == 0) return null;
        if (algorithm != "AES256")
            throw new S3Exception(algorithm.Length == 0
                ? S3Error.InvalidRequest.WithMessage("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.")
                : new S3Error("InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid. The valid value is AES256."));
        byte[] bytes;
        try { bytes = Convert.FromBase64String(key); }
        catch (FormatException) { bytes = []; }
        if (bytes.Length != 32)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("The secret key was invalid for the specified algorithm.")).With("ArgumentName", prefix + "key");
        if (md5.Length == 0 || md5 != Convert.ToBase64String(MD5.HashData(bytes)))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("The calculated MD5 hash of the key did not match the hash that was provided.")).With("ArgumentName", prefix + "key-MD5");
        return ObjectEncryption.Customer(bytes);
    }

    /// <summary>
    /// A HEAD of an object encrypted with a customer's key needs that key, as a GET does; the one
    /// sent must be the one the object was written with (its MD5 is what the object keeps to compare).
    /// </summary>
    public static void CheckCustomerKey(HttpRequest request, ObjectInfo info)
    {
        var sent = CustomerKeyOnly(request);
        var kept = info.Metadata.Encryption;
        if (kept?.Kind != EncryptionKind.Customer)
        {
            if (sent is not null) throw new S3Exception(S3Error.InvalidRequest.WithMessage("The encryption parameters are not applicable to this object."));
            return;
        }
        if (sent is null)
            throw new S3Exception(S3Error.InvalidRequest.WithMessage("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."));
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(sent.CustomerKeyMd5!), System.Text.Encoding.ASCII.GetBytes(kept.CustomerKeyMd5 ?? "")))
            throw new S3Exception(S3Error.AccessDenied.WithMessage("The provided customer key does not match the key the object was encrypted with."));
    }

    /// <summary>How the object is encrypted, on the answers that describe or create it.</summary>
    public static void WriteHeaders(HttpResponse response, ObjectEncryption? encryption)
    {
        if (encryption is null) return;
        if (encryption.Kind == EncryptionKind.Managed)
        {
            response.Headers[Header] = "AES256";
            return;
        }
        if (encryption.Kind == EncryptionKind.Kms)
        {
            response.Headers[Header] = "aws:kms";
            if (encryption.KmsKeyId is { } keyId) response.Headers[KmsKeyId] = keyId;
            return;
        }
        response.Headers[Customer + "algorithm"] = "AES256";
        response.Headers[Customer + "key-MD5"] = encryption.CustomerKeyMd5;
    }
}

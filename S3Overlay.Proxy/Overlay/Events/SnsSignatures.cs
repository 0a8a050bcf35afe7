using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// Checks an SNS message's signature against its signing certificate, as AWS documents: the
/// certificate is fetched from <c>SigningCertURL</c> only where SNS keeps them (HTTPS,
/// <c>sns.REGION.amazonaws.com</c>), or under the prefix the operator trusts instead
/// (<c>S3_OVERLAY_REMOTE_EVENTS_SNS_CERT_URL</c>); SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA.
/// Certificates are kept by URL (SNS signs with a few).
/// </summary>
internal sealed class SnsSignatures(HttpClient http, string? trustedPrefix, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<X509Certificate2>>> _certificates = new();

    /// <summary>Whether a URL SNS gave (its certificate's, or a subscription's to visit) is one the overlay may fetch.</summary>
    public bool Trusts(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (trustedPrefix is not null) return url.StartsWith(trustedPrefix, StringComparison.Ordinal);
        return uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort
            && uri.Host.StartsWith("sns.", StringComparison.Ordinal)
            && (uri.Host.EndsWith(".amazonaws.com", StringComparison.Ordinal) || uri.Host.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal));
    }

    /// <summary>Null when the signature is the certificate's; else why not.</summary>
    public async Task<string?> CheckAsync(SnsMessage message, CancellationToken ct)
    {
        var hash = message.SignatureVersion switch
        {
            "1" => HashAlgorithmName.SHA1,
            "2" => HashAlgorithmName.SHA256,
            _ => (HashAlgorithmName?)null,
        };
        if (hash is null) return $"unknown SignatureVersion {message.SignatureVersion}";
        if (!Trusts(message.SigningCertUrl)) return "SigningCertURL is not where SNS keeps its certificates";
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(message.Signature);
        }
        catch (FormatException)
        {
            return "Signature is not base64";
        }
        X509Certificate2 certificate;
        try
        {
            certificate = await CertificateAsync(message.SigningCertUrl, ct);
        }
        catch (Exception e) when (e is HttpRequestException or CryptographicException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return $"the signing certificate could not be read: {e.Message}";
        }
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is null) return "the signing certificate has no RSA key";
        var now = clock.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime()) return "the signing certificate is not valid now";
        return rsa.VerifyData(Encoding.UTF8.GetBytes(message.StringToSign()), signature, hash.Value, RSASignaturePadding.Pkcs1) ? null : "the signature does not match";
    }

    /// <summary>Confirms a subscription, as AWS documents: a GET of its <c>SubscribeURL</c> (checked by the caller). Null when SNS took it; else why not.</summary>
    public async Task<string?> ConfirmAsync(string subscribeUrl, CancellationToken ct)
    {
        try
        {
            using var answer = await http.GetAsync(subscribeUrl, ct);
            return answer.IsSuccessStatusCode ? null : $"SNS answered {(int)answer.StatusCode} to the subscription's confirmation.";
        }
        catch (HttpRequestException e)
        {
            return $"SNS could not be reached to confirm the subscription: {e.Message}.";
        }
    }

    private async Task<X509Certificate2> CertificateAsync(string url, CancellationToken ct)
    {
        var lazy = _certificates.GetOrAdd(url, u => new Lazy<Task<X509Certificate2>>(async () =>
        {
            var pem = await http.GetStringAsync(u, CancellationToken.None);
            return X509Certificate2.CreateFromPem(pem);
        }));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch when (lazy.Value.IsFaulted)
        {
            // Not kept: the next message tries again.
            _certificates.TryRemove(new KeyValuePair<string, Lazy<Task<X509Certificate2>>>(url, lazy));
            throw;
        }
    }
}

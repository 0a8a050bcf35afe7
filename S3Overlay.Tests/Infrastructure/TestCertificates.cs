using System.Net;
using System.Net.Security;
using Amazon.Runtime;
using Amazon.S3;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Server certificates made by the tests for the proxy's HTTPS (<c>S3_OVERLAY_TLS_CERT</c>/<c>_KEY</c>).</summary>
public static class TestCertificates
{
    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, as PEM files: the test's own CA.</summary>
    public static X509Certificate2 WriteSelfSigned(string name, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = ServerRequest(name, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>A request for a server certificate naming 127.0.0.1 and localhost.</summary>
    public static CertificateRequest ServerRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request;
    }

    /// <summary>A handler that trusts <paramref name="ca"/> alone, as a client configured with a private CA does.</summary>
    public static HttpClientHandler TrustingHandler(X509Certificate2 ca) => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is null || chain is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        },
    };

    /// <summary>An AWSSDK.S3 client for a proxy serving HTTPS with a certificate of <paramref name="ca"/>.</summary>
    public static AmazonS3Client TrustingClient(string url, X509Certificate2 ca) => new(
        new BasicAWSCredentials(ProxyServer.AccessKey, ProxyServer.SecretKey),
        new AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, HttpClientFactory = new TrustingFactory(ca) });

    private sealed class TrustingFactory(X509Certificate2 ca) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(TrustingHandler(ca));
    }
}

using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage.Encryption;

/// <summary>
/// SIGKILL while encrypted bodies are arriving: after a restart the object written before is whole
/// and decrypts, the one that was being replaced is still that one, and a new key is absent.
/// </summary>
[ReliabilityTests]
public sealed class EncryptedWriteCrashTests
{
    [Fact]
    public async Task Killed_mid_write_an_encrypted_object_is_the_old_one_whole_or_none()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-sse-crash-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["S3_OVERLAY_DATA_DIR"] = dataDir,
            ["S3_OVERLAY_KMS_SECRET_KEY"] = EncryptionAtRestTests.MasterKey,
        };
        var old = new byte[300_000];
        new Random(11).NextBytes(old);
        try
        {
            await using (var proxy = await ProxyProcess.StartAsync(environment))
            {
                using var client = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey, defaults: false);
                await client.PutBucketAsync("crash");
                await client.PutObjectAsync(new PutObjectRequest
                    { BucketName = "crash", Key = "replaced", InputStream = new MemoryStream(old), ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });

                // A new version of it and a new key, each sent halfway (past several packages), held there, then the kill.
                var held = new List<GatedStream>();
                var uploads = new List<Task<HttpResponseMessage>>();
                using var http = new HttpClient();
                foreach (var key in new[] { "replaced", "new" })
                {
                    var body = new byte[1_000_000];
                    new Random(12).NextBytes(body);
                    var gate = new GatedStream(body, heldAfter: 600_000);
                    var request = new HttpRequestMessage(HttpMethod.Put, $"{proxy.Url}/crash/{key}") { Content = new StreamContent(gate) { Headers = { ContentLength = body.Length } } };
                    request.Headers.TryAddWithoutValidation("x-amz-server-side-encryption", "AES256");
                    await RequestSigner.SignAsync(request, payloadHash: "UNSIGNED-PAYLOAD");
                    uploads.Add(http.SendAsync(request));
                    held.Add(gate);
                }
                foreach (var gate in held) await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
                await Task.Delay(500); // the bytes sent are through the proxy's sealing and in its temp files
                await proxy.KillAsync();
                // The rest of each body goes to a dead server: its upload fails at once (held, it waited out HttpClient's 100 s).
                foreach (var gate in held) gate.Release();
                foreach (var upload in uploads) await Assert.ThrowsAnyAsync<Exception>(() => upload);
            }

            await using var restarted = await ProxyProcess.StartAsync(environment);
            using var after = S3Clients.Create(restarted.Url, ProxyServer.AccessKey, ProxyServer.SecretKey, defaults: false);
            using (var got = await after.GetObjectAsync("crash", "replaced"))
            {
                Assert.Equal(ServerSideEncryptionMethod.AES256, got.ServerSideEncryptionMethod);
                var bytes = new MemoryStream();
                await got.ResponseStream.CopyToAsync(bytes);
                Assert.Equal(old, bytes.ToArray());
            }
            var none = await Assert.ThrowsAsync<AmazonS3Exception>(() => after.GetObjectMetadataAsync("crash", "new"));
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            var listed = (await after.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "crash" })).S3Objects;
            Assert.Equal(("replaced", (long?)old.Length), (Assert.Single(listed).Key, listed[0].Size));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

using System.Collections.Concurrent;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The bad-input run: seeded malformed requests over raw sockets against the embedded store. Every
/// answer is a well-formed S3 error or a success, never a 5xx from our code; nothing is written
/// outside the data folder; the server still serves a known object afterwards.
/// </summary>
[ReliabilityTests]
public sealed class MalformedRequestTests
{
    private const string Bucket = "fuzz";
    /// <summary>Holds the known object: no generated request names it, so whatever they do, it must still be served.</summary>
    private const string KeptBucket = "kept";
    private const int KnownSize = 10_000;

    [Fact]
    public async Task Malformed_requests_get_S3_answers_and_the_server_keeps_serving()
    {
        var seed = ReliabilityRun.Seed(20261122);
        var count = ReliabilityRun.Scale(1500, 10_000);
        var jail = Directory.CreateTempSubdirectory("s3overlay-fuzz-").FullName;
        try
        {
            var dataDir = Path.Combine(jail, "data");
            await using var proxy = await ProxyServer.StartAsync(dataDir: dataDir, configure: b => { if (Environment.GetEnvironmentVariable("RELIABILITY_DEBUG") == "1") Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddConsole(b.Logging); });
            using var client = proxy.CreateClient();
            await client.PutBucketAsync(Bucket);
            await client.PutBucketAsync(KeptBucket);
            await client.PutObjectAsync(new PutObjectRequest { BucketName = KeptBucket, Key = "known", InputStream = PatternData.Open(KnownSize, 7) });
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "known", ContentBody = "a target for the requests" });
            var upload = await client.InitiateMultipartUploadAsync(Bucket, "upload");

            var generator = new MalformedRequests(new Random(seed), Bucket, upload.UploadId);
            var requests = Enumerable.Range(0, count).Select(_ => generator.Next()).ToArray();
            var port = new Uri(proxy.Url).Port;
            var failures = new ConcurrentQueue<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var request = requests[i];
                var problem = S3Answer.Problem(request, await request.SendAsync(port, timeout.Token));
                if (problem is not null) failures.Enqueue($"#{i} {request.Description}: {problem}");
            });

            // Whatever keys the requests stored, the listing of them is still an S3 answer.
            foreach (var listing in new[] { $"/{Bucket}?list-type=2", $"/{Bucket}?list-type=2&encoding-type=url", $"/{Bucket}?uploads" })
                if (S3Answer.Problem(new RawRequest("GET", listing), await new RawRequest("GET", listing).SendAsync(port, default)) is { } problem)
                    failures.Enqueue($"listing {listing} after the run: {problem}");
            using (var known = await client.GetObjectAsync(KeptBucket, "known"))
                Assert.Null(await PatternData.MismatchAsync(known.ResponseStream, 0, KnownSize, 7));
            var outside = Directory.GetFileSystemEntries(jail).Where(e => e != dataDir)
                .Concat(new[] { "/", Path.GetTempPath() }.SelectMany(d => Directory.GetFileSystemEntries(d, MalformedRequests.EscapeCanary + "*")))
                .ToArray();
            ReliabilityRun.Report("bad input", $"{count} malformed requests (seed {seed})", $"{failures.Count} bad answers, {outside.Length} files outside the data folder, known object intact");
            Assert.True(outside.Length == 0, $"seed {seed}: files outside the data folder: {string.Join(", ", outside)}");
            Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} of {count} answers were not S3 answers:\n{string.Join("\n", failures.Take(25))}");
        }
        finally
        {
            try { Directory.Delete(jail, recursive: true); } catch (IOException) { }
        }
    }

}

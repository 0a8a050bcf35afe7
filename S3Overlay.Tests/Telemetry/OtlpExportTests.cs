using Amazon.S3.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// OTLP export as Aspire drives it: the OTEL_* settings (given as configuration, so tests run in
/// parallel without touching the process environment) point the exporter at an in-process receiver.
/// </summary>
/// <remarks>
/// Alone, after every other class (<see cref="OtlpExportCollection"/>): a tracer listens to every
/// host in the process, so beside a busy class its queue filled with that class's spans, and the
/// export at stop, which the proxy gives 2 s (TelemetryShutdown), ran out before it reached this
/// test's span. Beside the merged-listing tests 1 run in 5 got no traces at all; in a fresh-clone
/// run the gRPC test got none of its own.
/// </remarks>
[Collection(OtlpExportCollection.Name)]
[ConformanceTests]
public class OtlpExportTests
{
    [Fact]
    public async Task Requests_export_spans_metrics_and_logs_under_the_configured_service_name()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var service = "s3overlay-" + Guid.NewGuid().ToString("N")[..8];
        // The tracer listens process-wide, so other tests' proxies' spans may arrive too: this test's are told apart by bucket.
        var bucket = "otlp-" + Guid.NewGuid().ToString("N")[..12];
        await using (var proxy = await ProxyServer.StartAsync(OtlpSettings(receiver, service)))
        {
            using var s3 = proxy.CreateClient(defaults: false);
            await s3.PutBucketAsync(bucket);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a/key.txt", ContentBody = "hello", UseChunkEncoding = false });
            using (var got = await s3.GetObjectAsync(bucket, "a/key.txt"))
                Assert.Equal("hello", await new StreamReader(got.ResponseStream).ReadToEndAsync());
            using var http = proxy.CreateHttpClient();
            Assert.Equal(404, (int)(await http.GetAsync($"{bucket}/missing.txt")).StatusCode);
            Assert.Equal(200, (int)(await http.GetAsync("_overlay/health")).StatusCode);
            Assert.Equal(200, (int)(await http.GetAsync("_overlay/status?format=json")).StatusCode);
            proxy.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OtlpExportTests").LogWarning("log line for {Bucket}", bucket);
        } // stopping the host flushes every provider

        var spans = receiver.Bodies("traces").SelectMany(OtlpPayload.Spans).ToList();
        Assert.NotEmpty(spans);
        Assert.All(spans, s => Assert.Equal(service, s.Service));
        var mine = spans.Where(s => Equals(s.Attributes.GetValueOrDefault("s3.bucket"), bucket)).ToList();
        Assert.Equal(["S3 CreateBucket", "S3 GetObject", "S3 GetObject", "S3 PutObject"], mine.Select(s => s.Name).Order());
        Assert.All(mine, s => Assert.Equal("Microsoft.AspNetCore", s.Scope));

        var put = Assert.Single(mine, s => s.Name == "S3 PutObject");
        Assert.Equal("PutObject", put.Attributes["s3.operation"]);
        Assert.Equal(200L, put.Attributes["http.response.status_code"]);
        Assert.Equal("PUT", put.Attributes["http.request.method"]);
        Assert.Equal($"/{bucket}/a/key.txt", put.Attributes["url.path"]);

        var get = Assert.Single(mine, s => s.Name == "S3 GetObject" && Equals(s.Attributes["url.path"], $"/{bucket}/a/key.txt"));
        Assert.Equal(200L, get.Attributes["http.response.status_code"]);
        var missing = Assert.Single(mine, s => s.Name == "S3 GetObject" && Equals(s.Attributes["url.path"], $"/{bucket}/missing.txt"));
        Assert.Equal(404L, missing.Attributes["http.response.status_code"]);
        Assert.Equal("NoSuchKey", missing.Attributes["s3.error.code"]);
        Assert.False(get.Attributes.ContainsKey("s3.error.code"));

        // Non-S3 endpoints are named by their route.
        Assert.Contains(spans, s => s.Name == "GET /_overlay/status" && Equals(s.Attributes.GetValueOrDefault("http.route"), "/_overlay/status"));

        // Health probes are left out of the traces.
        Assert.DoesNotContain(spans, s => s.Attributes.GetValueOrDefault("url.path") is "/_overlay/health");

        var metrics = receiver.Bodies("metrics").SelectMany(OtlpPayload.Metrics).ToList();
        Assert.All(metrics, m => Assert.Equal(service, m.Service));
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration" && m.Scope == "Microsoft.AspNetCore.Hosting" && m.Unit == "s");
        Assert.Contains(metrics, m => m.Scope == "Microsoft.AspNetCore.Server.Kestrel");
        Assert.Contains(metrics, m => m.Scope == "System.Runtime");

        var logs = receiver.Bodies("logs").SelectMany(OtlpPayload.Logs).ToList();
        var line = Assert.Single(logs, l => l.Body?.Contains(bucket) == true);
        Assert.Equal(service, line.Service);
        Assert.Equal($"log line for {bucket}", line.Body);
    }

    [Fact]
    public async Task Resource_attributes_are_honoured_and_the_service_name_not_overridden()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var service = "s3overlay-" + Guid.NewGuid().ToString("N")[..8];
        var settings = OtlpSettings(receiver, service);
        settings["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=replica-7,deployment.environment=test";
        await using (var proxy = await ProxyServer.StartAsync(settings))
        {
            using var http = proxy.CreateHttpClient();
            await http.GetAsync("resource-bucket/key");
        }
        var resource = receiver.Bodies("traces").Select(OtlpPayload.Resource).First();
        Assert.Equal(service, resource["service.name"]);
        Assert.Equal("replica-7", resource["service.instance.id"]);
        Assert.Equal("test", resource["deployment.environment"]);
    }

    [Fact]
    public async Task Exports_over_grpc_the_protocol_Aspire_prefers()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: true);
        var service = "s3overlay-" + Guid.NewGuid().ToString("N")[..8];
        var settings = OtlpSettings(receiver, service);
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        var bucket = "grpc-" + Guid.NewGuid().ToString("N")[..12];
        await using (var proxy = await ProxyServer.StartAsync(settings))
        {
            using var http = proxy.CreateHttpClient();
            await http.GetAsync($"{bucket}/key");
        }
        var spans = receiver.Bodies("traces").SelectMany(OtlpPayload.Spans).ToList();
        var head = Assert.Single(spans, s => Equals(s.Attributes.GetValueOrDefault("s3.bucket"), bucket));
        Assert.Equal("S3 GetObject", head.Name);
        Assert.Equal(service, head.Service);
        Assert.Contains(receiver.Bodies("metrics").SelectMany(OtlpPayload.Metrics), m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task Beside_OTLP_the_Prometheus_endpoint_serves_the_same_meters_from_one_provider()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = OtlpSettings(receiver, "s3overlay-" + Guid.NewGuid().ToString("N")[..8]);
        settings[TelemetryCatalog.Metrics.Name] = "true";
        await using (var proxy = await ProxyServer.StartAsync(settings))
        {
            Assert.Single(proxy.Services.GetServices<MeterProvider>());
            using var http = proxy.CreateHttpClient();
            for (var i = 0; i < 3; i++) await http.GetAsync("_overlay/status?format=json");
            var scrape = await PrometheusText.ScrapeAsync(proxy.Url);
            Assert.Equal(3, scrape.Value("http_server_request_duration_seconds_count", ("http_route", "/_overlay/status")));
            Assert.True(scrape.Value("dotnet_process_cpu_count") > 0, "the runtime's meter is read too");
        }
        Assert.Contains(receiver.Bodies("metrics").SelectMany(OtlpPayload.Metrics), m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task Without_an_endpoint_nothing_is_registered_and_nothing_is_sent()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = OtlpSettings(receiver, "should-not-export");
        settings.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        await using (var proxy = await ProxyServer.StartAsync(settings))
        {
            Assert.Null(proxy.Services.GetService<TracerProvider>());
            Assert.Null(proxy.Services.GetService<MeterProvider>());
            Assert.Null(proxy.Services.GetService<LoggerProvider>());
            Assert.DoesNotContain(proxy.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
            Assert.DoesNotContain(proxy.Services.GetServices<IStartupFilter>(), f => f.GetType().Namespace == "S3Overlay.ServiceDefaults");
            using var http = proxy.CreateHttpClient();
            await http.GetAsync("quiet-bucket/key");
        }
        Assert.Equal(0, receiver.Count);
    }

    /// <summary>What Aspire passes a project (run mode), pointed at the receiver over OTLP/HTTP, with short intervals.</summary>
    private static Dictionary<string, string?> OtlpSettings(OtlpReceiver receiver, string service) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = service,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OtlpExportCollection
{
    public const string Name = "OTLP export, alone";
}

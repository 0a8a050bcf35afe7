using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace S3Overlay.ServiceDefaults;

/// <summary>
/// The app's service collection as an OpenTelemetry builder: what
/// OpenTelemetry.Extensions.Hosting's <c>AddOpenTelemetry()</c> returns, so the SDK's own
/// <c>WithTracing</c> / <c>WithMetrics</c> / <c>UseOtlpExporter</c> register their providers
/// in the app's container (and read the app's IConfiguration).
/// </summary>
internal sealed class OpenTelemetryServices(IServiceCollection services) : IOpenTelemetryBuilder
{
    public IServiceCollection Services { get; } = services;
}

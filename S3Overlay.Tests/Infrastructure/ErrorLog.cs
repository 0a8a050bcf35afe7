using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Records what the proxy under test logs at Error or above. The proxy logs an error only for an
/// exception no handler mapped (its one catch-all: a 500 InternalError, or a connection cut after
/// the headers), which is a bug whatever the test asked, so <see cref="ProxyServer"/> fails the
/// test that saw one even when the test itself passed (the client may have retried, or not looked).
/// </summary>
internal sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose() { }

    private sealed class Recorder(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // The health check service logs an unhealthy result as an error: a state it reports, not an exception nobody handled.
        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= LogLevel.Error && !category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log._errors.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
        }
    }
}

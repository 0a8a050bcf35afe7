using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// What the proxy under test logs. Errors are recorded: the proxy logs an error only for an
/// exception no handler mapped (its one catch-all: a 500 InternalError), which is a bug whatever
/// the test asked, so <see cref="ProxyServer"/> fails the test that saw one even when the test
/// itself passed (the client may have retried, or not looked). Warnings and errors also go to the
/// output of the test that started the proxy, so a failing test shows what the proxy saw.
/// </summary>
internal sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _recent = new();
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>
    /// The last warnings and errors: a proxy a fixture started has no test to write to (none was
    /// running then), so a test shows these in its output instead.
    /// </summary>
    public IReadOnlyCollection<string> Recent => _recent;

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose() { }

    private void Write(string line)
    {
        _recent.Enqueue(line);
        while (_recent.Count > 30) _recent.TryDequeue(out _);
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test is over (a fixture's proxy outlives it): nobody to tell.
        }
    }

    private sealed class Recorder(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"[proxy {logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}";
            log.Write(line);
            // The health check service logs an unhealthy result as an error: a state it reports, not an exception nobody handled.
            if (logLevel >= LogLevel.Error && !category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal))
                log._errors.Enqueue(line);
        }
    }
}

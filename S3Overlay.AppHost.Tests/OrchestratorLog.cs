using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// The last lines Aspire's orchestrator client (<c>Aspire.Hosting.Dcp.DcpExecutor</c>) logged, Debug
/// included: it reports a resource cleanup that failed or was given up only at Debug ("Application
/// orchestrator could not be stopped programmatically"), so a teardown test can say why processes
/// outlived the app's stop.
/// </summary>
public sealed class OrchestratorLog : ILoggerProvider
{
    public const string Category = "Aspire.Hosting.Dcp.DcpExecutor";
    private const int Kept = 40;

    private readonly ConcurrentQueue<string> _lines = new();

    public override string ToString() => _lines.IsEmpty ? "(nothing logged)" : string.Join(Environment.NewLine, _lines);

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Recorder(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Kept) _lines.TryDequeue(out _);
    }

    private sealed class Recorder(OrchestratorLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}

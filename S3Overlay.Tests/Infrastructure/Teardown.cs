namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The steps of a fixture's teardown, each run even when an earlier one failed (a proxy that
/// failed to stop must not leave its s3rver running), then one exception naming every step that
/// failed and why. A class fixture's failure shows only as a cleanup failure of its class, after
/// every test passed: its message is all there is to go on.
/// </summary>
public sealed class Teardown(string what)
{
    private readonly List<Exception> _failures = [];

    public async Task StepAsync(string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            _failures.Add(new InvalidOperationException($"{step}: {Describe(e)}", e));
        }
    }

    public void Step(string step, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _failures.Add(new InvalidOperationException($"{step}: {Describe(e)}", e));
        }
    }

    /// <summary>A failure found rather than thrown (errors the proxy logged).</summary>
    public void Fail(string step, string why) => _failures.Add(new InvalidOperationException($"{step}: {why}"));

    public void ThrowIfFailed()
    {
        if (_failures.Count == 0) return;
        throw new AggregateException($"Tearing down {what} failed at {_failures.Count} step(s): "
            + string.Join(" | ", _failures.Select(f => f.Message)), _failures);
    }

    /// <summary>The exception's type and message, and its inner exceptions' (an AggregateException's message hides them).</summary>
    private static string Describe(Exception e) => e switch
    {
        AggregateException a => string.Join(" + ", a.InnerExceptions.Select(Describe)),
        { InnerException: { } inner } => $"{e.GetType().Name}: {e.Message} <- {Describe(inner)}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

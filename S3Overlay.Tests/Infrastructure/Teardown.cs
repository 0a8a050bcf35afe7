namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The steps of a fixture's teardown, each run even when an earlier one failed (a proxy that
/// failed to stop must not leave its s3rver running), then one exception naming every step that
/// failed and why. A class fixture's failure shows only as a cleanup failure of its class, after
/// every test passed: its message is all there is to go on.
/// </summary>
public sealed class Teardown(string what)
{
    private readonly List<(string Step, Exception Error)> _failures = [];

    public async Task StepAsync(string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            _failures.Add((step, e));
        }
    }

    public Task StepAsync(string step, Action action) => StepAsync(step, () =>
    {
        action();
        return Task.CompletedTask;
    });

    /// <summary>A failure found rather than thrown (errors the proxy logged).</summary>
    public void Fail(string step, string why) => _failures.Add((step, new InvalidOperationException(why)));

    public void ThrowIfFailed()
    {
        if (_failures.Count == 0) return;
        var errors = _failures.Select(f => f.Error).ToList();
        throw new InvalidOperationException(
            $"Tearing down {what} failed at {_failures.Count} step(s): " + string.Join(" | ", _failures.Select(f => $"{f.Step}: {Describe(f.Error)}")),
            errors.Count == 1 ? errors[0] : new AggregateException(errors));
    }

    /// <summary>The exception's type and message; the runner prints the inner exceptions' below.</summary>
    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}

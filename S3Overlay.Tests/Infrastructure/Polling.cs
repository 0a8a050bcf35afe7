using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The one way a test waits for something that happens in the background and has no signal of
/// its own (a file a server removes, a figure an admin report shows): poll until a deadline, then
/// fail saying what never happened. Prefer a gate or signal where there is one.
/// </summary>
public static class Polling
{
    /// <summary>Generous: a busy machine is slow, and a condition that holds returns at once.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    public static Task EventuallyAsync(Func<Task<bool>> condition, string what) => EventuallyAsync(condition, what, Deadline);

    /// <param name="deadline">For work that takes long by design (thousands of units to go through), not for a slow machine.</param>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline) Assert.Fail($"Not after {deadline.TotalSeconds:0} s: {what}");
            await Task.Delay(Interval);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, string what) => EventuallyAsync(() => Task.FromResult(condition()), what);
}

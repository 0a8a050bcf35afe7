using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Every core kept busy by processes of their own (a shell's empty loop each), for as long as
/// this lives: a machine busy with other work, where the proxy's threads wait their turn. A race
/// that a quiet machine hides (two readers between one's check and its claim) shows here.
/// Use it in a <see cref="RunsAlone"/> class: beside it, every other test's server waits too.
/// </summary>
public sealed class BusyCores : IDisposable
{
    private readonly List<Process> _loops = [];

    public BusyCores()
    {
        for (var core = 0; core < Environment.ProcessorCount; core++)
            _loops.Add(Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!);
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            try
            {
                loop.Kill();
                loop.WaitForExit(5000);
            }
            catch (InvalidOperationException) { } // gone already
            loop.Dispose();
        }
    }
}

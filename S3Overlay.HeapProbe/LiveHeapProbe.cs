using System.Globalization;
using System.Net.Sockets;
using System.Runtime;
using System.Text;

namespace S3Overlay.HeapProbe;

/// <summary>
/// Answers each connection on its Unix socket with one line: the bytes alive after a full,
/// blocking, compacting collection (the large object heap compacted too), and how long that
/// collection paused the process. The managed heap the runtime reports after an ordinary
/// collection also counts what gen 2 holds dead until its next full collection, and free space
/// a background collection leaves; only a full collection says what is held.
/// </summary>
public static class LiveHeapProbe
{
    /// <summary>The environment variable that names the socket; without it the hook does nothing.</summary>
    public const string SocketVariable = "S3OVERLAY_HEAP_PROBE_SOCKET";

    internal static void Serve(Socket listener)
    {
        while (true)
        {
            // A caller that hangs up early must not end the proxy: an exception on this thread would.
            try
            {
                using var connection = listener.Accept();
                connection.Send(Encoding.ASCII.GetBytes(Measure() + "\n"));
            }
            catch (SocketException) { }
        }
    }

    private static string Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        // What a full collection leaves as free space (pinned buffers keep some) is not held.
        var live = info.HeapSizeBytes - info.FragmentedBytes;
        return string.Create(CultureInfo.InvariantCulture, $"{live} {info.PauseDurations[0].TotalMilliseconds:0.0}");
    }

    /// <summary>Asks the probe in the process listening on <paramref name="socketPath"/>.</summary>
    public static async Task<(long LiveBytes, double PauseMs)> AskAsync(string socketPath, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.ASCII);
        var line = await reader.ReadLineAsync(ct) ?? throw new InvalidOperationException("the heap probe closed without an answer");
        var parts = line.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}

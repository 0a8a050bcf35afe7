using System.Net.Sockets;
using S3Overlay.HeapProbe;

/// <summary>
/// The runtime's entry point for a startup hook (<c>DOTNET_STARTUP_HOOKS</c>): it must be this
/// name, in no namespace. A soak loads it into the proxy so the bytes still alive can be counted
/// in the process that holds them, with no endpoint in the product that anyone could call.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(LiveHeapProbe.SocketVariable) is not { Length: > 0 } path) return;
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        // A thread of its own, not the thread pool: the answer must not wait behind the load's work.
        new Thread(() => LiveHeapProbe.Serve(listener)) { IsBackground = true, Name = "live heap probe" }.Start();
    }
}

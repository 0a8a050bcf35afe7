using System.Runtime.InteropServices;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using S3Overlay.Streams;

namespace S3Overlay.S3.Http;

/// <summary>
/// What an HTTP/1.x client has read of a response, from its TCP connection (Linux <c>TCP_INFO</c>):
/// the bytes its side acknowledged, less what its receive window says it still holds unread.
/// </summary>
/// <remarks>
/// A server cannot see a client's reads, only its window: the window a client advertises shrinks
/// by what it holds unread, and grows back as it reads. Measured on loopback (Python's http.client
/// reading 64 KiB of <c>bytes=0-</c>, then closing): the server wrote 4 MiB into its socket before
/// the reset came, of which the client's side acknowledged 128 KiB. The window the client offers
/// with nothing unread is the widest it has advertised (it grows as the client reads: smart_open's
/// went from 64 to 93 KiB), so what it holds unread is how far the window is below that. A client
/// that read everything may leave its last window update unsent (Linux sends one only once the
/// window has at least doubled), so <see cref="IReaderProgress.Slack"/> is half the widest window.
/// Elsewhere (another OS, HTTP/2's shared connections, no socket) there is no progress to tell,
/// and bodies pace themselves by what they have written.
/// </remarks>
internal sealed class SocketReaderProgress : IReaderProgress
{
    private const int TcpInfoOption = 11; // TCP_INFO at IPPROTO_TCP
    private const int TcpInfoSize = 232;  // up to tcpi_snd_wnd (Linux 6.2+)

    private readonly Socket _socket;
    private readonly long _ackedBefore;
    // The widest window the client has advertised: what it offers with nothing unread (its
    // buffer grows as it reads, so the window at the start undercounts what it holds later).
    private long _widest;

    private SocketReaderProgress(Socket socket, TcpInfo before)
    {
        _socket = socket;
        _ackedBefore = before.Acked;
        _widest = before.Window;
    }

    /// <summary>The progress of the response about to be written on <paramref name="context"/>'s connection; null where it cannot be told.</summary>
    public static IReaderProgress? Of(HttpContext context)
    {
        if (!OperatingSystem.IsLinux() || !(HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
            return null;
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { ProtocolType: ProtocolType.Tcp } socket) return null;
        return Read(socket) is { } before ? new SocketReaderProgress(socket, before) : null;
    }

    public long? Taken => Read(_socket) is { Connected: true } now ? TakenBy(now) : null;

    public long Slack => _widest / 2;

    /// <summary>Acknowledged, less what the window says is unread (how far it is below the widest seen).</summary>
    /// <remarks>Asked by one body's reads, one after the other: no two callers at once.</remarks>
    private long TakenBy(TcpInfo now)
    {
        _widest = Math.Max(_widest, now.Window);
        return Math.Max(0, now.Acked - _ackedBefore - (_widest - now.Window));
    }

    private readonly record struct TcpInfo(bool Connected, long Acked, long Window);

    private static TcpInfo? Read(Socket socket)
    {
        Span<byte> info = stackalloc byte[TcpInfoSize];
        int length;
        try
        {
            length = socket.GetRawSocketOption((int)SocketOptionLevel.Tcp, TcpInfoOption, info);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
        if (length < TcpInfoSize) return null;
        // tcpi_state: 1 established, 8 close-wait (the client half-closed, and may still read).
        var state = info[0];
        return new TcpInfo(state is 1 or 8,
            Acked: (long)MemoryMarshal.Read<ulong>(info[120..]),  // tcpi_bytes_acked (native order)
            Window: MemoryMarshal.Read<uint>(info[228..]));      // tcpi_snd_wnd
    }
}

using Microsoft.AspNetCore.Http;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// The header a replica marks the miss it forwards to the owner with: the owner then fills it
/// itself, never forwards it again, so no request goes round the fleet. An <c>x-amz-*</c> name,
/// so every signature must cover it (S3's rule, <c>UnsignedHeaders</c>); and only the root key,
/// which the replicas share, may send it: a client cannot make a replica skip its owner.
/// </summary>
internal static class PeerMark
{
    public const string Header = "x-amz-overlay-forwarded";
    /// <summary>The mark of an object's miss (<see cref="PeerHop.Object"/>).</summary>
    public const string Value = "object";
    /// <summary>The mark of one chunk's fill (<see cref="PeerHop.Chunk"/>).</summary>
    public const string ChunkValue = "chunk";

    /// <summary>Whether the (authenticated) request is a peer's forwarded miss.</summary>
    public static bool IsOn(HttpRequest request) => request.Headers.ContainsKey(Header);

    /// <summary>The mark a read carries to the stores (<see cref="ObjectReadRequest.Via"/>): the header's value; null when unmarked.</summary>
    public static string? Of(HttpRequest request) => request.Headers.TryGetValue(Header, out var mark) ? mark.ToString() : null;

    /// <summary>What the peer forwarded; any other mark than a chunk's is an object's miss (it is never forwarded again).</summary>
    public static PeerHop HopOf(string? mark) => mark is null ? PeerHop.None : mark == ChunkValue ? PeerHop.Chunk : PeerHop.Object;

    extension(ObjectReadRequest read)
    {
        /// <summary>Whether, and as what, another replica of the fleet forwarded this read to this one, its owner.</summary>
        public PeerHop Hop => HopOf(read.Via);

        public bool FromPeer => read.Hop != PeerHop.None;
    }

    /// <summary>Whether a marked request must be refused: it is not signed with the root key (anonymous, or another user's).</summary>
    public static bool Refuses(PeerCaller caller) => caller.Mark is not null && !caller.SignedByRoot;

    /// <summary>Why <see cref="Refuses"/> refused, for the answer.</summary>
    public const string Refusal = $"{Header} is for the replicas of a fleet, signed with their root key.";
}

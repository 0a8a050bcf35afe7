using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// How one event lies in a segment: its payload's length and CRC-32, then the payload (JSON). A
/// frame a crash cut short, or a torn write, fails its check: recovery ends the segment before it.
/// </summary>
internal static class OutboxFrame
{
    public const int HeaderBytes = 8;

    /// <summary>Far above any event (a key is at most 1 KiB): a length beyond it is a torn header.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Checksum(payload));
        payload.CopyTo(frame.AsSpan(HeaderBytes));
        return frame;
    }

    /// <summary>The payload of the frame at <paramref name="offset"/>; null at the end of what was written whole.</summary>
    public static byte[]? Read(SafeFileHandle file, long offset)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (StoreFiles.ReadAt(file, header, offset) < HeaderBytes) return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length <= 0 || length > MaxPayloadBytes) return null;
        var payload = new byte[length];
        if (StoreFiles.ReadAt(file, payload, offset + HeaderBytes) < length) return null;
        return Checksum(payload) == BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) ? payload : null;
    }

    private static uint Checksum(ReadOnlySpan<byte> payload)
    {
        using var crc = new Crc32();
        crc.Append(payload);
        return BinaryPrimitives.ReadUInt32BigEndian(crc.Finish());
    }
}

using System.Globalization;
using S3Overlay.S3.Errors;
using S3Overlay.Streams;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// The file of a browser upload, held to the policy's content-length-range as it streams: the
/// read that passes the maximum fails (EntityTooLarge), and so does the end of a file shorter
/// than the minimum (EntityTooSmall). A store commits only after reading to the end, so a file
/// out of range is never kept, and is never buffered to be measured.
/// </summary>
internal sealed class LengthRangeStream(Stream inner, long min, long max) : PayloadStream
{
    private long _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        _read += n;
        if (_read > max)
            throw new S3Exception(S3Error.EntityTooLarge).With("MaxSizeAllowed", max.ToString(CultureInfo.InvariantCulture));
        if (n == 0 && buffer.Length > 0 && _read < min)
            throw new S3Exception(S3Error.EntityTooSmall)
                .With("ProposedSize", _read.ToString(CultureInfo.InvariantCulture))
                .With("MinSizeAllowed", min.ToString(CultureInfo.InvariantCulture));
        return n;
    }
}

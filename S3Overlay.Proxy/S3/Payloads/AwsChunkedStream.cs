using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.Streams;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.S3.Payloads;

/// <summary>
/// Decodes an <c>aws-chunked</c> body (<c>size[;chunk-signature=…]\r\n data \r\n … 0…\r\n trailers \r\n</c>)
/// into the object's bytes, verifying each chunk's signature (signed variants), the trailer's
/// checksum and signature, and the decoded length. A small state machine over one pooled buffer:
/// correct however the network splits the bytes, and it never holds more than a line, while data
/// goes straight from the socket to the reader. Verification fails the read that reaches the end,
/// so a store, which commits only after reading to the end, never keeps a bad body.
/// </summary>
internal sealed class AwsChunkedStream : PayloadStream
{
    // Chunk headers (~90 bytes) and trailer lines are short; a longer line is malformed.
    private const int LineBufferSize = 4096;

    private enum State { ChunkHeader, ChunkData, ChunkEnd, Trailers, Done }

    private readonly Stream _inner;
    private readonly long? _decodedLength;
    private readonly ChunkSignatureChain? _signatures;
    private readonly PayloadCheck? _trailerChecksum;
    private readonly IncrementalHash? _chunkHash;
    private readonly List<(string Name, string Value)> _trailers = [];
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(LineBufferSize);
    private int _start, _end;
    private State _state = State.ChunkHeader;
    private long _chunkRemaining, _decoded;
    private string? _chunkSignature, _trailerSignature;

    /// <param name="decodedLength">x-amz-decoded-content-length: the body must decode to exactly this many bytes.</param>
    /// <param name="signatures">The chain to verify chunk and trailer signatures against; null for unsigned chunks.</param>
    /// <param name="trailerChecksum">The checksum the x-amz-trailer header announced, verified against the trailer.</param>
    public AwsChunkedStream(Stream inner, long? decodedLength, ChunkSignatureChain? signatures, PayloadCheck? trailerChecksum)
    {
        _inner = inner;
        _decodedLength = decodedLength;
        _signatures = signatures;
        _trailerChecksum = trailerChecksum;
        if (signatures is not null) _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The trailer's headers (lower-case names), complete once the body has been read to its end.</summary>
    public IReadOnlyList<(string Name, string Value)> Trailers => _trailers;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return 0;
        while (true)
        {
            switch (_state)
            {
                case State.Done:
                    return 0;
                case State.ChunkData when _chunkRemaining > 0:
                    return await ReadDataAsync(destination, cancellationToken);
                case State.ChunkData:
                    _signatures?.VerifyChunk(_chunkHash!.GetHashAndReset(), _chunkSignature);
                    _state = State.ChunkEnd;
                    break;
                case State.ChunkEnd:
                    if ((await ReadLineAsync(cancellationToken) ?? throw Incomplete()).Length != 0)
                        throw Malformed("chunk data is longer than its size");
                    _state = State.ChunkHeader;
                    break;
                case State.ChunkHeader:
                    ParseChunkHeader(await ReadLineAsync(cancellationToken) ?? throw Incomplete());
                    if (_chunkRemaining == 0)
                    {
                        _signatures?.VerifyChunk(SHA256.HashData(ReadOnlySpan<byte>.Empty), _chunkSignature);
                        _state = State.Trailers;
                    }
                    else _state = State.ChunkData;
                    break;
                case State.Trailers:
                    // Some clients end the body right after the last trailer, without the blank line.
                    // minio-go ends its trailer lines with \n and sends a blank line before the
                    // trailer's signature (…crc32c:v\n\r\nx-amz-trailer-signature:s\r\n\r\n), as MinIO
                    // reads it: in a signed trailer a blank line before the signature ends nothing.
                    var line = await ReadLineAsync(cancellationToken);
                    if (line is { Length: 0 } && _signatures is not null && _trailers.Count > 0 && _trailerSignature is null) break;
                    if (string.IsNullOrEmpty(line))
                    {
                        _state = State.Done;
                        Finish();
                        return 0;
                    }
                    AddTrailer(line);
                    break;
            }
        }
    }

    private async ValueTask<int> ReadDataAsync(Memory<byte> destination, CancellationToken ct)
    {
        var want = (int)Math.Min(destination.Length, _chunkRemaining);
        int n;
        if (_end > _start)
        {
            n = Math.Min(want, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(destination.Span);
            _start += n;
        }
        else
        {
            n = await _inner.ReadAsync(destination[..want], ct);
            if (n == 0) throw Incomplete();
        }
        _chunkRemaining -= n;
        _decoded += n;
        if (_decoded > _decodedLength) throw Incomplete();
        var data = destination.Span[..n];
        _chunkHash?.AppendData(data);
        _trailerChecksum?.Append(data);
        return n;
    }

    private void ParseChunkHeader(string line)
    {
        var semicolon = line.IndexOf(';');
        var sizeText = (semicolon < 0 ? line : line[..semicolon]).Trim();
        if (sizeText.Length is 0 or > 15 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
            throw Malformed($"'{Shorten(sizeText)}' is not a chunk size");
        _chunkRemaining = size;
        _chunkSignature = null;
        foreach (var extension in semicolon < 0 ? [] : line[(semicolon + 1)..].Split(';'))
        {
            var eq = extension.IndexOf('=');
            if (eq > 0 && extension[..eq].Trim() == "chunk-signature") _chunkSignature = extension[(eq + 1)..].Trim();
        }
    }

    private void AddTrailer(string line)
    {
        var colon = line.IndexOf(':');
        if (colon <= 0) throw new S3Exception(S3Error.MalformedTrailerError);
        var name = line[..colon].Trim().ToLowerInvariant();
        var value = line[(colon + 1)..].Trim();
        if (name == "x-amz-trailer-signature") _trailerSignature = value;
        else _trailers.Add((name, value));
    }

    private void Finish()
    {
        if (_decodedLength is { } expected && _decoded != expected) throw Incomplete();
        if (_signatures is not null && (_trailers.Count > 0 || _trailerSignature is not null))
        {
            var canonical = string.Concat(_trailers.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => $"{t.Name}:{t.Value}\n"));
            _signatures.VerifyTrailer(canonical, _trailerSignature);
        }
        if (_trailerChecksum is not null)
        {
            var name = _trailerChecksum.Algorithm!.HeaderName;
            var sent = _trailers.FirstOrDefault(t => t.Name == name).Value
                ?? throw new S3Exception(S3Error.MalformedTrailerError.WithMessage($"The trailer {name} was announced but not sent."));
            _trailerChecksum.Expected = ChecksumHeaders.Decode(_trailerChecksum.Algorithm, sent);
            _trailerChecksum.Verify();
        }
    }

    /// <summary>The next line without its CRLF; the unterminated rest at the end of the body; null at the end.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryTakeLine(out var line)) return line;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw Malformed("a chunk header or trailer line is too long");
            var n = await _inner.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0)
            {
                if (_end == _start) return null;
                var rest = Encoding.ASCII.GetString(_buffer, _start, _end - _start).TrimEnd('\r');
                _start = _end;
                return rest;
            }
            _end += n;
        }
    }

    private bool TryTakeLine(out string line)
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        var lf = pending.IndexOf((byte)'\n');
        if (lf < 0)
        {
            line = "";
            return false;
        }
        var content = pending[..lf];
        if (content.Length > 0 && content[^1] == '\r') content = content[..^1];
        line = Encoding.ASCII.GetString(content);
        _start += lf + 1;
        return true;
    }

    private static S3Exception Incomplete() => new(S3Error.IncompleteBody);

    private static S3Exception Malformed(string why) =>
        new(S3Error.InvalidRequest.WithMessage($"The aws-chunked body is malformed: {why}."));

    private static string Shorten(string s) => s.Length > 20 ? s[..20] + "…" : s;

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _start = _end = 0;
            _chunkHash?.Dispose();
            _trailerChecksum?.Dispose();
        }
        base.Dispose(disposing);
    }
}

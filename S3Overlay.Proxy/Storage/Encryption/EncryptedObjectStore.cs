using System.Collections.Concurrent;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Encryption at rest as a layer of the seam, over whichever local store is configured: bodies
/// go down sealed in packages (<see cref="Segment"/>), each object with its own data key sealed
/// by the master key (SSE-S3) or the customer's key (SSE-C) and kept in the object's metadata
/// (<see cref="Envelope"/>); they come up decrypted, described by their plaintext's size. The
/// overlay sits above it, so what it fills is encrypted as the bucket's default says. Objects
/// stored in the clear pass through untouched.
/// </summary>
/// <param name="newSpoolPath">
/// Where a body without a length is measured before it is sealed (<see cref="MeasuredBody"/>): the
/// system's temp folder (<see cref="NewSystemTempPath"/>), or, over a store that takes staged files,
/// that store's own temp folder (on its disk, and swept at its start-up after a crash).
/// </param>
internal sealed partial class EncryptedObjectStore(IObjectStore inner, MasterKey? master, TimeProvider clock, Func<string> newSpoolPath) : ForwardingStore(inner)
{
    /// <summary>The store beneath this layer, for what must stay in the clear whatever a bucket's default says: the overlay's whiteouts, which listings know by the size and ETag of their bytes.</summary>
    public IObjectStore Beneath => Inner;
    private readonly BucketEncryption _defaults = new(inner, clock);
    private readonly EncryptedBuckets _holding = new(inner, clock);
    private readonly ConcurrentDictionary<string, bool> _marked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string, string, long), SegmentLayout> _layouts = new();
    private const int MaxRememberedLayouts = 4096;

    public override async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) =>
        await DescribeAsync(bucket, key, await Inner.HeadObjectAsync(bucket, key, Envelope.StoredConditions(conditions), ct), ct);

    public override async Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct) =>
        await Inner.FindObjectAsync(bucket, key, ct) is { } info ? await DescribeAsync(bucket, key, info, ct) : null;

    public override async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        ObjectContent content;
        try
        {
            content = await Inner.GetObjectAsync(bucket, key, request with { Encryption = null, Conditions = Envelope.StoredConditions(request.Conditions) }, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.RangeNotSatisfiable)
        {
            throw await PlaintextInvalidRangeAsync(bucket, key, e, ct);
        }
        return await OpenAsync(bucket, key, request, content, ct);
    }

    public override async Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        ObjectContent? content;
        try
        {
            content = await Inner.TryGetObjectAsync(bucket, key, request with { Encryption = null, Conditions = Envelope.StoredConditions(request.Conditions) }, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.RangeNotSatisfiable)
        {
            throw await PlaintextInvalidRangeAsync(bucket, key, e, ct);
        }
        return content is null ? null : await OpenAsync(bucket, key, request, content, ct);
    }

    /// <summary>A range past the sealed bytes is past the plaintext too; the 416 must name the plaintext's size.</summary>
    private async Task<Exception> PlaintextInvalidRangeAsync(string bucket, string key, StorageException e, CancellationToken ct) =>
        await Inner.FindObjectAsync(bucket, key, ct) is { } info && Envelope.Of(info.Metadata) is not null
            ? StorageException.RangeNotSatisfiable((await DescribeAsync(bucket, key, info, ct)).Size)
            : e;

    /// <summary>
    /// The object as read: passed on when stored in the clear; else decrypted. Without a range the
    /// sealed body read is the whole object; with one, that read only told the object's envelope,
    /// and the packages the range touches are read instead, of that same version (If-Match).
    /// </summary>
    /// <param name="versionId">The version read, when one was named: a range's packages are read of it.</param>
    private async Task<ObjectContent> OpenAsync(string bucket, string key, ObjectReadRequest request, ObjectContent content, CancellationToken ct, string? versionId = null)
    {
        byte[] dataKey;
        SegmentLayout layout;
        ObjectInfo info;
        var envelope = Envelope.Of(content.Info.Metadata);
        try
        {
            if (envelope is null)
            {
                if (request.Encryption?.CustomerKey is not null)
                    throw new StorageException(StorageFault.InvalidRequest, message: "The encryption parameters are not applicable to this object.");
                var plain = content.Info with { Metadata = Envelope.Hide(content.Info.Metadata, null) };
                return ReferenceEquals(plain.Metadata, content.Info.Metadata) ? content : new ObjectContent(plain, content.Body, content.Range) { VerifiedBy = content.VerifiedBy };
            }
            dataKey = envelope.Open(master, request.Encryption, bucket, key);
            layout = await LayoutAsync(bucket, key, content.Info, envelope, ct);
            info = Described(content.Info, envelope, layout);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
        if (request.Range is null && content.Range is null)
            return new ObjectContent(info, new DecryptingStream(content.Body, dataKey, null, 0, info.Size), null);

        await content.DisposeAsync();
        var range = request.Range!.Value.Resolve(info.Size) ?? throw StorageException.RangeNotSatisfiable(info.Size);
        var (first, last, s, package, skip) = layout.SealedRange(range);
        var segment = layout.Segments[s];
        var storedETag = content.Info.ETag;
        var salt = segment.Salt ?? (await ReadHeaderAsync(bucket, key, storedETag, segment.CipherOffset, ct)).Salt;
        var sealedRead = new ObjectReadRequest(new ByteRange(first, last), new ReadConditions(storedETag, null, null, null)) { Via = request.Via };
        var sealedPart = versionId is null
            ? await Inner.GetObjectAsync(bucket, key, sealedRead, ct)
            : await Inner.GetObjectVersionAsync(bucket, key, versionId, sealedRead, ct);
        return new ObjectContent(info, new DecryptingStream(sealedPart.Body, dataKey, (salt, segment.PlainLength, package), skip, range.Length), range);
    }

    /// <summary>The object as clients see it: the plaintext's size, no envelope, its encryption told.</summary>
    private async Task<ObjectInfo> DescribeAsync(string bucket, string key, ObjectInfo info, CancellationToken ct)
    {
        var envelope = Envelope.Of(info.Metadata);
        if (envelope is null) return info with { Metadata = Envelope.Hide(info.Metadata, null) };
        return Described(info, envelope, await LayoutAsync(bucket, key, info, envelope, ct));
    }

    private static ObjectInfo Described(ObjectInfo info, Envelope envelope, SegmentLayout layout) => info with
    {
        Size = layout.PlaintextSize,
        ETag = envelope.PresentedETag(info.ETag),
        Metadata = Envelope.Hide(info.Metadata, envelope) with
        {
            Parts = info.Metadata.Parts?.Select(p => p with { Size = Math.Max(0, Segment.PlaintextSize(p.Size)) }).ToList(),
        },
    };

    /// <summary>
    /// Where the object's segments lie. One written in one piece is one segment, told by its size
    /// alone. A multipart one has a segment per part: from the parts the store remembers, else
    /// read header after header (remembered per version, as a version never changes).
    /// </summary>
    private async Task<SegmentLayout> LayoutAsync(string bucket, string key, ObjectInfo info, Envelope envelope, CancellationToken ct)
    {
        if (!envelope.Multipart)
        {
            var plaintext = Segment.PlaintextSize(info.Size);
            if (plaintext < 0) throw new IOException($"The encrypted object {bucket}/{key} has a size ({info.Size}) no sealed body has.");
            return new SegmentLayout([new SegmentSpan(0, 0, plaintext, Segment.ZeroSalt)]);
        }
        var id = (bucket, key, info.ETag, info.Size);
        if (_layouts.TryGetValue(id, out var known)) return known;
        var segments = new List<SegmentSpan>();
        long cipher = 0, plain = 0;
        if (info.Metadata.Parts is { } parts && parts.Sum(p => p.Size) == info.Size)
        {
            foreach (var part in parts)
            {
                var length = Segment.PlaintextSize(part.Size);
                if (length < 0) throw new IOException($"A part of the encrypted object {bucket}/{key} has a size ({part.Size}) no sealed part has.");
                segments.Add(new SegmentSpan(cipher, plain, length, null));
                (cipher, plain) = (cipher + part.Size, plain + length);
            }
        }
        else
        {
            while (cipher < info.Size)
            {
                var (length, salt) = await ReadHeaderAsync(bucket, key, info.ETag, cipher, ct);
                segments.Add(new SegmentSpan(cipher, plain, length, salt));
                (cipher, plain) = (cipher + Segment.CiphertextSize(length), plain + length);
            }
            if (cipher != info.Size) throw new IOException($"The parts of the encrypted object {bucket}/{key} do not add up to its size.");
        }
        var layout = new SegmentLayout(segments);
        if (_layouts.Count >= MaxRememberedLayouts) _layouts.Clear();
        _layouts[id] = layout;
        return layout;
    }

    private async Task<(long Plaintext, byte[] Salt)> ReadHeaderAsync(string bucket, string key, string etag, long offset, CancellationToken ct)
    {
        await using var content = await Inner.GetObjectAsync(bucket, key,
            new ObjectReadRequest(new ByteRange(offset, offset + Segment.HeaderSize - 1), new ReadConditions(etag, null, null, null)), ct);
        var header = new byte[Segment.HeaderSize];
        await content.Body.ReadExactlyAsync(header, ct);
        return Segment.ReadHeader(header) ?? throw new IOException($"The encrypted object {bucket}/{key} has no segment header at {offset}.");
    }

    public override async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        if (write.IfMatch is not null) write = write with { IfMatch = Envelope.StoredForms(write.IfMatch) };
        if (await EnvelopeForAsync(bucket, key, write, multipart: false, ct) is not { } sealing)
            return await DescribeAsync(bucket, key, await Inner.PutObjectAsync(bucket, key, body, Cleaned(write), ct), ct);
        var (envelope, dataKey) = sealing;
        envelope = envelope with { SealedETag = write.ETag is null };
        await using var measured = write.ContentLength is null ? await MeasuredBody.SpoolAsync(body, newSpoolPath(), ct) : null;
        var length = write.ContentLength ?? measured!.Length;
        await using var sealedBody = new EncryptingStream(measured ?? body, dataKey, Segment.ZeroSalt, length, write.ContentMD5);
        var stored = await Inner.PutObjectAsync(bucket, key, sealedBody, Sealed(write, envelope, length), ct);
        return Described(stored, envelope, new SegmentLayout([new SegmentSpan(0, 0, length, Segment.ZeroSalt)]));
    }

    /// <summary>A fresh path in the system's temp folder, where a store without staged files has a body measured.</summary>
    public static string NewSystemTempPath() => Path.Combine(Path.GetTempPath(), "s3overlay-sealing-" + Guid.NewGuid().ToString("N"));

    /// <summary>A package's header names the plaintext's length: a part must come with its Content-Length.</summary>
    internal static StorageException LengthNeeded() => new(StorageFault.LengthRequired, message:
        "An encrypted upload's part needs its length before its body: send Content-Length.");

    private static ObjectWrite Cleaned(ObjectWrite write) => write with { Metadata = Envelope.Clean(write.Metadata), Encryption = null };

    private static ObjectWrite Sealed(ObjectWrite write, Envelope envelope, long length) => write with
    {
        Metadata = envelope.AddTo(write.Metadata),
        ContentLength = Segment.CiphertextSize(length),
        ContentMD5 = null, // checked on the plaintext, by the sealing stream
        Encryption = null,
    };

    /// <summary>
    /// The envelope and data key for a new object, when it is to be encrypted: as the write asks,
    /// else as the bucket's default says; null to store it in the clear.
    /// </summary>
    private async Task<(Envelope, byte[])?> EnvelopeForAsync(string bucket, string key, ObjectWrite write, bool multipart, CancellationToken ct)
    {
        if ((write.Encryption ?? await DefaultEncryptionAsync(bucket, ct)) is not { } asked) return null;
        var dataKey = SealedKey.NewDataKey();
        Envelope envelope;
        if (asked.CustomerKey is { } customerKey)
        {
            envelope = new Envelope(EncryptionKind.Customer, SealedKey.Seal(customerKey, dataKey, bucket, key), null, asked.CustomerKeyMd5, multipart);
        }
        else
        {
            if (master is null) throw NoMasterKey();
            if (asked.Kind == EncryptionKind.Kms) RequireOurKey(asked.KmsKeyId, key);
            envelope = new Envelope(asked.Kind, master.Seal(dataKey, bucket, key), master.Name, null, multipart);
        }
        await MarkAsync(bucket, ct);
        return (envelope, dataKey);
    }

    /// <summary>
    /// The bucket's default (SSE-S3, or SSE-KMS under the one key); null when it has none. Only a
    /// master key makes a default possible: without one, writes cost no look at the bucket's setting.
    /// </summary>
    private async Task<ObjectEncryption?> DefaultEncryptionAsync(string bucket, CancellationToken ct) =>
        master is null ? null : await _defaults.OfAsync(bucket, ct);

    /// <summary>Whether <paramref name="write"/> stores its object in the clear: it asks for no encryption, and the bucket has no default.</summary>
    public async Task<bool> StoresInTheClearAsync(string bucket, ObjectWrite write, CancellationToken ct) =>
        write.Encryption is null && await DefaultEncryptionAsync(bucket, ct) is null;

    /// <summary>An SSE-KMS key id must name the master key, the one KMS key (none named: it is meant); else S3's KMS.NotFoundException.</summary>
    private void RequireOurKey(string? keyId, string? resource)
    {
        if (keyId is not null && !master!.IsNamedBy(keyId))
            throw new StorageException(StorageFault.EncryptionKeyNotFound, resource, $"Invalid keyId '{keyId}': the one KMS key is '{master.Name}' (S3_OVERLAY_KMS_SECRET_KEY).");
    }

    public static StorageException NoMasterKey() =>
        new(StorageFault.NotSupported, message: "Server side encryption specified but KMS is not configured: set S3_OVERLAY_KMS_SECRET_KEY.");

    /// <summary>Before the bucket's first encrypted object is written, the bucket says it may hold some (see <see cref="BucketEncryption.HoldsEncrypted"/>).</summary>
    private async Task MarkAsync(string bucket, CancellationToken ct)
    {
        if (_marked.ContainsKey(bucket)) return;
        if (await _holding.OfAsync(bucket, ct) is null)
        {
            await Inner.PutBucketSettingAsync(bucket, BucketEncryption.HoldsEncrypted, "1", ct);
            _holding.Forget(bucket);
        }
        _marked[bucket] = true;
    }

    public override async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        var page = await Inner.ListObjectsAsync(bucket, request, ct);
        if (page.Objects.Count == 0 || (!_marked.ContainsKey(bucket) && await _holding.OfAsync(bucket, ct) is null)) return page;
        using var slots = new SemaphoreSlim(8);
        var objects = await Task.WhenAll(page.Objects.Select(async entry =>
        {
            await slots.WaitAsync(ct);
            try { return await ListedAsync(bucket, entry, () => Inner.FindObjectAsync(bucket, entry.Key, ct), ct); }
            finally { slots.Release(); }
        }));
        return page with { Objects = objects };
    }

    /// <summary>A listed object (or version) with its plaintext size and ETag; one the store's listing does not describe is looked at (<paramref name="find"/>).</summary>
    private async Task<ObjectInfo> ListedAsync(string bucket, ObjectInfo entry, Func<Task<ObjectInfo?>> find, CancellationToken ct)
    {
        var info = Envelope.Of(entry.Metadata) is not null ? entry : await find();
        if (info is null || info.ETag != entry.ETag || Envelope.Of(info.Metadata) is null) return entry with { Metadata = Envelope.Hide(entry.Metadata, null) };
        var described = await DescribeAsync(bucket, entry.Key, info, ct);
        return entry with { Size = described.Size, ETag = described.ETag, Metadata = Envelope.Hide(entry.Metadata, Envelope.Of(info.Metadata)) };
    }

    /// <remarks>If-Match names the ETag clients were shown, which the store knows in its stored form too.</remarks>
    public override Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct) =>
        Inner.DeleteObjectVersionAsync(bucket, key, versionId, delete with { IfMatch = Envelope.StoredForms(delete.IfMatch) }, ct);

    public override async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        await Inner.DeleteBucketAsync(bucket, ct);
        _marked.TryRemove(bucket, out _);
        _defaults.Forget(bucket);
        _holding.Forget(bucket);
    }

    public override async Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct)
    {
        if (name == BucketEncryption.Setting && value is not null)
        {
            if (master is null) throw NoMasterKey();
            if (BucketEncryption.FromText(value) is { Kind: EncryptionKind.Kms } kms) RequireOurKey(kms.KmsKeyId, bucket);
        }
        await Inner.PutBucketSettingAsync(bucket, name, value, ct);
        if (name == BucketEncryption.Setting) _defaults.Forget(bucket);
    }
}

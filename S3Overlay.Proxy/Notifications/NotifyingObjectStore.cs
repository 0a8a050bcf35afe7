using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Notifications;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Versions;
using Names = S3Overlay.S3.Notifications.NotificationEventNames;

namespace S3Overlay.Notifications;

/// <summary>
/// The one place events are raised: a layer of the seam over every other (the overlay included),
/// so every write that reaches a store raises its event, whichever path it came by (PUT, a
/// presigned PUT, a browser form, a copy, a completed multipart upload, a delete or delete marker,
/// each key of a DeleteObjects, tags, an ACL, the lifecycle scanner's expirations), and nothing
/// the overlay writes on its own (fills, whiteouts, records) does. The event is kept in the outbox,
/// on disk, after the store committed the write and before the call returns, so before the
/// client is answered; a write whose event cannot be kept (the outbox full) is refused before it is
/// made. The request's identity comes from the S3 request being handled (<see cref="WriteOrigin"/>).
/// A write that raises an event is made and its event kept under the key's lock here (a PUT's
/// taken once its body has been read: <see cref="TurnAtBodyEnd"/>), so the sequencer, given as an
/// event is kept, orders a key's events as its writes were made: without it, of two writers racing
/// on a key, the one whose write went first could keep its event last, and a consumer keeping each
/// key's last event would hold the object that was replaced.
/// </summary>
internal sealed class NotifyingObjectStore(IObjectStore inner, BucketNotifications notifications, NotificationOutbox outbox,
    IHttpContextAccessor http, TimeProvider clock) : ForwardingStore(inner)
{
    /// <summary>Marks a request whose access event is kept: one a request, however many reads of the store it makes.</summary>
    private static readonly object AccessRaised = new();

    private readonly KeyLocks _order = new();

    public override async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var origin = WriteOrigin.Of(http.HttpContext);
        var name = origin?.Operation switch
        {
            "PostObject" => Names.Post,
            "CopyObject" => Names.Copy,
            _ => Names.Put,
        };
        var rule = await RuleAsync(bucket, name, key, ct);
        if (!Kept(rule)) return await Inner.PutObjectAsync(bucket, key, body, write, ct);
        // The key's turn is taken once the body has been read, not before: racing writers of the
        // key upload side by side, and only their commits and events go one at a time.
        var atEnd = new TurnAtBodyEnd(body, () => _order.AcquireAsync(bucket, key, CancellationToken.None));
        Task<IDisposable>? turn = null;
        try
        {
            var info = await Inner.PutObjectAsync(bucket, key, atEnd, write, ct);
            // A body the store never read to its end (an empty one, perhaps): the turn now, after its commit.
            await (turn = atEnd.Turn ?? _order.AcquireAsync(bucket, key, CancellationToken.None));
            await KeepAsync(rule, new WriteEvent(name, bucket, key, info, info.VersionId, origin));
            return info;
        }
        finally
        {
            // Given back once taken, however the write ended (a turn the store's read is still waiting for included).
            _ = (turn ?? atEnd.Turn)?.ContinueWith(t => t.Result.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public override async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct)
    {
        var rule = await RuleAsync(bucket, Names.CompleteMultipartUpload, key, ct);
        using var inOrder = await InOrderAsync(bucket, key, rule, ct);
        var info = await Inner.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, expected, condition, ct);
        await KeepAsync(rule, new WriteEvent(Names.CompleteMultipartUpload, bucket, key, info, info.VersionId, WriteOrigin.Of(http.HttpContext)));
        return info;
    }

    /// <summary>A delete of the current object by the server's own parts (S3 requests and the lifecycle scanner delete by version, below).</summary>
    public override async Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        var origin = WriteOrigin.Of(http.HttpContext);
        var configuration = await ConfigurationAsync(bucket, ct);
        var mayRaise = MayRemove(configuration, origin, key);
        using var inOrder = mayRaise ? await _order.AcquireAsync(bucket, key, ct) : null;
        await Inner.DeleteObjectAsync(bucket, key, ct);
        if (!mayRaise) return;
        // A delete without a version id leaves a delete marker where the bucket keeps versions.
        var marker = await Inner.GetBucketVersioningAsync(bucket, CancellationToken.None) != BucketVersioning.Unversioned;
        var name = RemovedName(origin, marker);
        await KeepAsync(configuration.RuleFor(name, key), new WriteEvent(name, bucket, key, null, null, origin));
    }

    public override Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        DeleteVersionAsync(bucket, key, versionId, (b, k, v, c) => Inner.DeleteObjectVersionAsync(b, k, v, c), ct);

    public override Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct) =>
        DeleteVersionAsync(bucket, key, versionId, (b, k, v, c) => Inner.DeleteObjectVersionAsync(b, k, v, delete, c), ct);

    private async Task<DeletedVersion> DeleteVersionAsync(string bucket, string key, string? versionId,
        Func<string, string, string?, CancellationToken, Task<DeletedVersion>> delete, CancellationToken ct)
    {
        var origin = WriteOrigin.Of(http.HttpContext);
        var configuration = await ConfigurationAsync(bucket, ct);
        var mayRaise = MayRemove(configuration, origin, key);
        using var inOrder = mayRaise ? await _order.AcquireAsync(bucket, key, ct) : null;
        var deleted = await delete(bucket, key, versionId, ct);
        if (!mayRaise) return deleted;
        // A delete by version id removes that version for good, a delete marker included (S3 then
        // answers x-amz-delete-marker: true, but no marker was created): ObjectRemoved:Delete.
        var name = RemovedName(origin, versionId is null && deleted.DeleteMarker);
        await KeepAsync(configuration.RuleFor(name, key), new WriteEvent(name, bucket, key, null, deleted.VersionId, origin));
        return deleted;
    }

    public override Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        ChangeAsync(bucket, key, null, TaggingName, () => Inner.PutObjectTaggingAsync(bucket, key, tags, ct), ct);

    public override Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        ChangeAsync(bucket, key, versionId, TaggingName, () => Inner.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct), ct);

    public override Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct) =>
        ChangeAsync(bucket, key, null, AclName, () => Inner.PutObjectAclAsync(bucket, key, acl, ct), ct);

    public override Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) =>
        ChangeAsync(bucket, key, versionId, AclName, () => Inner.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct), ct);

    /// <summary>Tag and ACL changes raise events only when a client asked for them by those operations (a PUT's own tags raise its ObjectCreated).</summary>
    private async Task ChangeAsync(string bucket, string key, string? versionId, Func<string?, string?> nameOf, Func<Task> change, CancellationToken ct)
    {
        var origin = WriteOrigin.Of(http.HttpContext);
        if (nameOf(origin?.Operation) is not { } name)
        {
            await change();
            return;
        }
        var rule = await RuleAsync(bucket, name, key, ct);
        using var inOrder = await InOrderAsync(bucket, key, rule, ct);
        await change();
        await KeepAsync(rule, new WriteEvent(name, bucket, key, null, versionId, origin));
    }

    private static string? TaggingName(string? operation) => operation switch
    {
        "PutObjectTagging" => Names.TaggingPut,
        "DeleteObjectTagging" => Names.TaggingDelete,
        _ => null,
    };

    private static string? AclName(string? operation) => operation == "PutObjectAcl" ? Names.AclPut : null;

    // Reads raise MinIO's access events (s3:ObjectAccessed:*), once a client's request has found
    // the object: a GET, a HEAD, and the reads of its retention, legal hold and attributes; the
    // server's own reads (a copy's source, the lifecycle scanner's looks) raise none.

    public override Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        AccessedAsync(bucket, key, body: true, () => Inner.GetObjectAsync(bucket, key, request, ct), c => c.Info, ct);

    public override Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        AccessedAsync(bucket, key, body: true, () => Inner.GetObjectVersionAsync(bucket, key, versionId, request, ct), c => c.Info, ct);

    public override Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) =>
        AccessedAsync(bucket, key, body: false, () => Inner.HeadObjectAsync(bucket, key, conditions, ct), i => i, ct);

    public override Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        AccessedAsync(bucket, key, body: false, () => Inner.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct), i => i, ct);

    /// <summary>
    /// A read, and the access event of the client's request it serves when the bucket asks for
    /// one: checked first that the outbox can keep it (a full outbox refuses the read, as it
    /// refuses a write, rather than lose an event someone asked for), kept once the read found
    /// the object, one a request. A GET's event is raised by the read of its body, not by the looks
    /// before it (an ACL's, a part's); the other reads' by their first look. The event is kept
    /// without waiting for the disk (<see cref="NotificationOutbox.KeepSoon"/>): a read changes
    /// nothing a power cut could undo, and does not wait for a flush. Every read of a bucket that
    /// asks for no access event (a configuration remembered) goes straight through.
    /// </summary>
    /// <param name="body">Whether the store is asked for the object's body (a GET), or its description alone.</param>
    private Task<T> AccessedAsync<T>(string bucket, string key, bool body, Func<Task<T>> read, Func<T, ObjectInfo> infoOf, CancellationToken ct)
    {
        var context = http.HttpContext;
        if (Names.Accessed(WriteOrigin.OperationOf(context)) is not { } name || (name == Names.AccessedGet) != body
            || context!.Items.ContainsKey(AccessRaised)
            || notifications.TryRemembered(bucket, out var remembered) && !Kept(remembered?.RuleFor(name, key)))
            return read();
        return KeepingAsync();

        async Task<T> KeepingAsync()
        {
            var rule = await RuleAsync(bucket, name, key, ct);
            var result = await read();
            if (!Kept(rule) || !context.Items.TryAdd(AccessRaised, true)) return result;
            try
            {
                var info = infoOf(result);
                outbox.KeepSoon(new WriteEvent(name, bucket, key, info, info.VersionId, WriteOrigin.Of(context)), rule!, clock.GetUtcNow());
            }
            catch
            {
                if (result is IAsyncDisposable opened) await opened.DisposeAsync(); // a body read for nothing
                throw;
            }
            return result;
        }
    }

    /// <summary>A client's delete is an ObjectRemoved event; the server's own (no S3 request: the lifecycle scanner's) a LifecycleExpiration.</summary>
    private static string RemovedName(WriteOrigin? origin, bool marker) => (origin, marker) switch
    {
        (null, false) => Names.ExpirationDelete,
        (null, true) => Names.ExpirationDeleteMarkerCreated,
        (_, false) => Names.Delete,
        (_, true) => Names.DeleteMarkerCreated,
    };

    /// <summary>
    /// Whether a delete of the key raises an event, of either kind (which, delete or delete marker,
    /// is known only once it is made); if so, the outbox must have room first.
    /// </summary>
    private bool MayRemove(NotificationConfiguration configuration, WriteOrigin? origin, string key)
    {
        if (configuration.Rules.Count == 0) return false;
        if ((configuration.RuleFor(RemovedName(origin, false), key) ?? configuration.RuleFor(RemovedName(origin, true), key)) is null) return false;
        Admit();
        return true;
    }

    /// <summary>The rule an event of this write would go by, after checking the outbox can keep it.</summary>
    private async Task<NotificationRule?> RuleAsync(string bucket, string name, string key, CancellationToken ct)
    {
        var rule = (await ConfigurationAsync(bucket, ct)).RuleFor(name, key);
        if (rule is not null) Admit();
        return rule;
    }

    private async Task<NotificationConfiguration> ConfigurationAsync(string bucket, CancellationToken ct)
    {
        try
        {
            return await notifications.OfAsync(bucket, ct) ?? NotificationConfiguration.None;
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return NotificationConfiguration.None; // no bucket: the write itself fails as it should
        }
    }

    private void Admit()
    {
        if (!outbox.HasRoom())
            throw new StorageException(StorageFault.Busy, null, "The notification outbox is full: the request was not served (no write made, no object read), so no event of it is lost.");
    }

    /// <summary>The key's lock when the write raises an event (its rule names a target of this server); null otherwise.</summary>
    private async Task<IDisposable?> InOrderAsync(string bucket, string key, NotificationRule? rule, CancellationToken ct) =>
        Kept(rule) ? await _order.AcquireAsync(bucket, key, ct) : null;

    private bool Kept(NotificationRule? rule) => rule is not null && outbox.Statistics.ContainsKey(rule.Arn);

    /// <summary>Keeps the event; not cancellable, since the write it tells of is made.</summary>
    private Task KeepAsync(NotificationRule? rule, WriteEvent e) =>
        Kept(rule) ? outbox.KeepAsync(e, rule!, clock.GetUtcNow()) : Task.CompletedTask;

    // Everything else passes through (ForwardingStore).

    public override async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        await Inner.DeleteBucketAsync(bucket, ct);
        notifications.Forget(bucket);
    }
}

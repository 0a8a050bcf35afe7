using System.Security.Cryptography;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.FileSystem.Index;

namespace S3Overlay.Storage.FileSystem;

internal sealed partial class FileSystemObjectStore
{
    public const int MaxPartNumber = 10_000;

    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => _space.WatchAsync(async () =>
    {
        FilesOf(bucket, key); // refuse a key that could never be completed, now
        var upload = new UploadFolder(_layout.UploadsDir(bucket), UploadFolder.NewId());
        var record = new UploadRecord(key, _clock.GetUtcNow(), write.Metadata);
        // Under the upload's lock: a listing that meets its row before the folder is made waits rather than drop it.
        using (await _uploadLocks.AcquireAsync(bucket, upload.UploadId, CancellationToken.None))
        {
            AddUploadRow(bucket, upload, record);
            try
            {
                Directory.CreateDirectory(upload.Dir);
                JsonFile.Write(upload.RecordPath, record, StoreJson.Default.UploadRecord, _layout.NewTempPath());
            }
            catch
            {
                DeleteTree(upload.Dir); // no upload was begun: no folder of one
                RemoveUploadRow(bucket, upload, record);
                throw;
            }
        }
        return upload.UploadId;
    });

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) => _space.WatchAsync(async () =>
    {
        if (partNumber is < 1 or > MaxPartNumber)
            throw new StorageException(StorageFault.InvalidArgument, message: $"Part number must be an integer between 1 and {MaxPartNumber}, inclusive.")
                .With("ArgumentName", "partNumber");
        var upload = RequireUpload(bucket, key, uploadId);
        using var temp = await TempBody.WriteAsync(_layout.NewTempPath(), body, write, ct);
        var part = new PartInfo(partNumber, temp.QuotedMd5, temp.Size, _clock.GetUtcNow(), temp.TrailingChecksums ?? write.Metadata.Checksums);
        MultipartChecksum.CheckPart(upload.ReadRecord()!.Metadata, part.Checksums);
        using (await _uploadLocks.AcquireAsync(bucket, uploadId, CancellationToken.None))
        {
            RequireUpload(bucket, key, uploadId); // not aborted or completed meanwhile
            temp.MoveTo(upload.PartPath(partNumber));
            try
            {
                JsonFile.Write(upload.PartInfoPath(partNumber), part, StoreJson.Default.PartInfo, _layout.NewTempPath());
            }
            catch
            {
                // Bytes without their record (over an earlier upload of the part, whose record
                // would name bytes no longer there): neither is left; the client uploads the part again.
                File.Delete(upload.PartPath(partNumber));
                File.Delete(upload.PartInfoPath(partNumber));
                throw;
            }
        }
        return part;
    });

    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct) =>
        _space.WatchAsync(() => CompleteAsync(bucket, key, uploadId, parts, expected, condition, ct));

    private async Task<ObjectInfo> CompleteAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct)
    {
        RequireUpload(bucket, key, uploadId);
        // Checked again as the object is committed; refused now, no large object is assembled for nothing.
        if (!condition.IsNone) CheckWriteCondition(bucket, key, FilesOf(bucket, key).Current()?.Version, condition);
        if (parts.Count == 0) throw new StorageException(StorageFault.MalformedDocument, message: "The list of parts is empty.");
        var numbers = CompletedPart.InOrder(parts);

        // Under the upload's lock, so no part is replaced while it is being assembled.
        using (await _uploadLocks.AcquireAsync(bucket, uploadId, ct))
        {
            var upload = RequireUpload(bucket, key, uploadId);
            var record = upload.ReadRecord()!;
            var uploaded = numbers.Select((listed, i) => CheckPart(upload, listed, isLast: i == numbers.Count - 1)).ToList();
            using var temp = await TempBody.ConcatenateAsync(_layout.NewTempPath(), uploaded.Select(p => upload.PartPath(p.PartNumber)), ct);
            if (temp.Size != uploaded.Sum(p => p.Size)) throw new StorageException(StorageFault.InvalidPart, message: "A part changed while the upload was completed.");
            var metadata = record.Metadata with
            {
                ChecksumAlgorithm = null, // the upload's promise, kept; the object has the checksum itself
                Parts = uploaded.Select(p => new ObjectPart(p.PartNumber, p.Size, p.Checksums)).ToList(),
            };
            var checksums = MultipartChecksum.OfObject(record.Metadata, uploaded);
            MultipartChecksum.CheckObject(record.Metadata, checksums, expected);
            var info = await CommitAsync(bucket, key, temp, MultipartETag.Of(uploaded.Select(p => p.ETag))!, null, metadata, checksums, ct, condition);
            DeleteTree(upload.Dir);
            RemoveUploadRow(bucket, upload, record);
            return info;
        }
    }

    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        using (await _uploadLocks.AcquireAsync(bucket, uploadId, ct))
        {
            var upload = RequireUpload(bucket, key, uploadId);
            var record = upload.ReadRecord();
            DeleteTree(upload.Dir);
            if (record is not null) RemoveUploadRow(bucket, upload, record);
        }
    }

    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct)
    {
        var upload = RequireUpload(bucket, key, uploadId);
        var after = upload.ReadParts().Where(p => p.PartNumber > partNumberMarker).ToList();
        var page = after.Take(Math.Max(0, maxParts)).ToList();
        var truncated = after.Count > page.Count;
        var promise = upload.ReadRecord()!.Metadata;
        return Task.FromResult(new PartsPage(page, truncated, page.Count > 0 ? page[^1].PartNumber : 0, promise.ChecksumAlgorithm, promise.ChecksumType));
    }

    /// <summary>
    /// Uploads in progress, by key and then by when they began. A key marker alone resumes after
    /// that key; with an upload-id marker, after that upload of the key.
    /// </summary>
    public async Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct)
    {
        RequireBucket(bucket);
        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;
        if (Indexed(bucket)) return await ListIndexedUploadsAsync(bucket, request, prefix, delimiter, ct);
        var all = AllUploads(bucket)
            .Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(u => u.Key, Utf8Order.Instance).ThenBy(u => u.Initiated).ThenBy(u => u.UploadId, StringComparer.Ordinal)
            .ToList();
        var start = 0;
        if (!string.IsNullOrEmpty(request.KeyMarker))
        {
            var marker = request.KeyMarker;
            var afterId = string.IsNullOrEmpty(request.UploadIdMarker) ? -1 : all.FindIndex(u => u.Key == marker && u.UploadId == request.UploadIdMarker);
            start = afterId >= 0 ? afterId + 1 : all.FindIndex(u => Utf8Order.Compare(u.Key, marker) > 0) is var i and >= 0 ? i : all.Count;
        }

        var uploads = new List<MultipartUpload>();
        var prefixes = new List<string>();
        if (request.MaxUploads <= 0) return new UploadsPage(uploads, prefixes, false, null, null);
        (string Key, string? UploadId)? last = null;
        for (var i = start; i < all.Count; i++)
        {
            var upload = all[i];
            var commonPrefix = ListRequest.CommonPrefixOf(upload.Key, prefix, delimiter);
            // As in listings, a common prefix at or before the key marker was on an earlier page.
            if (commonPrefix is not null && (commonPrefix == last?.Key
                || (!string.IsNullOrEmpty(request.KeyMarker) && Utf8Order.Compare(commonPrefix, request.KeyMarker) <= 0))) continue;
            if (uploads.Count + prefixes.Count >= request.MaxUploads)
                return new UploadsPage(uploads, prefixes, true, last?.Key, last?.UploadId);
            if (commonPrefix is not null) prefixes.Add(commonPrefix);
            else uploads.Add(upload);
            last = commonPrefix is not null ? (commonPrefix, null) : (upload.Key, upload.UploadId);
        }
        return new UploadsPage(uploads, prefixes, false, null, null);
    }

    /// <summary>Removes uploads begun more than <see cref="FileSystemStoreOptions.MaxUploadAge"/> ago, and temp files untouched for <see cref="FileSystemStoreOptions.TempMaxIdle"/>.</summary>
    /// <returns>How many uploads were removed.</returns>
    public async Task<int> RemoveAbandonedUploadsAsync(CancellationToken ct)
    {
        var cutoff = _clock.GetUtcNow() - _options.MaxUploadAge;
        var removed = 0;
        foreach (var bucketDir in SafeEnumerate(Path.Join(_layout.Reserved, "uploads")))
        {
            var bucket = Path.GetFileName(bucketDir);
            foreach (var dir in SafeEnumerate(bucketDir))
            {
                var upload = new UploadFolder(bucketDir, Path.GetFileName(dir));
                var record = upload.ReadRecord();
                var initiated = record?.Initiated ?? Directory.GetLastWriteTimeUtc(dir);
                if (initiated >= cutoff) continue;
                using (await _uploadLocks.AcquireAsync(bucket, upload.UploadId, ct))
                {
                    DeleteTree(dir);
                    if (record is not null) RemoveUploadRow(bucket, upload, record); // with no record it named no row a listing keeps
                }
                removed++;
            }
        }
        // And what a failed request left in the temp folder (a crash's went at start-up).
        SweepTempFiles((_clock.GetUtcNow() - FileSystemStoreOptions.TempMaxIdle).UtcDateTime);
        return removed;
    }

    private IEnumerable<MultipartUpload> AllUploads(string bucket)
    {
        var uploadsDir = _layout.UploadsDir(bucket);
        foreach (var dir in SafeEnumerate(uploadsDir))
            if (new UploadFolder(uploadsDir, Path.GetFileName(dir)).ReadRecord() is { } record)
                yield return new MultipartUpload(record.Key, Path.GetFileName(dir), record.Initiated);
    }

    private void AddUploadRow(string bucket, UploadFolder upload, UploadRecord record)
    {
        if (_index is not null) _index.AddUpload(bucket, new IndexedUpload(record.Key, record.Initiated.UtcTicks, upload.UploadId));
        else MarkChangedByOthers(bucket, record.Key);
    }

    private void RemoveUploadRow(string bucket, UploadFolder upload, UploadRecord record)
    {
        if (Indexed(bucket)) _index!.RemoveUpload(bucket, new IndexedUpload(record.Key, record.Initiated.UtcTicks, upload.UploadId));
    }

    private static IEnumerable<string> SafeEnumerate(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateDirectories(dir) : [];

    /// <returns>The upload's folder; NoSuchUpload unless it exists, for this bucket and key.</returns>
    private UploadFolder RequireUpload(string bucket, string key, string uploadId)
    {
        RequireBucket(bucket);
        var uploadsDir = _layout.UploadsDir(bucket);
        if (UploadFolder.IsWellFormed(uploadId) && new UploadFolder(uploadsDir, uploadId) is var upload
            && upload.ReadRecord() is { } record && record.Key == key)
            return upload;
        throw new StorageException(StorageFault.UploadNotFound).With("UploadId", uploadId);
    }

    /// <param name="listed">The entries the client listed for one part number: more than one when it
    /// uploaded the part again while the first upload was still arriving, and listed both answers.
    /// The part stored is the upload that finished last; the entry naming it is the one checked.</param>
    private PartInfo CheckPart(UploadFolder upload, IReadOnlyList<CompletedPart> listed, bool isLast)
    {
        var part = upload.ReadPart(listed[0].PartNumber);
        var asked = listed.FirstOrDefault(p => part is not null && SameETag(part.ETag, p.ETag)) ?? listed[^1];
        if (part is null || !SameETag(part.ETag, asked.ETag))
            throw new StorageException(StorageFault.InvalidPart).With("PartNumber", asked.PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        MultipartChecksum.CheckCompleted(asked, part);
        if (!isLast && part.Size < _options.MinimumPartSize)
            throw new StorageException(StorageFault.PartTooSmall)
                .With("ProposedSize", part.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .With("MinSizeAllowed", _options.MinimumPartSize.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .With("PartNumber", asked.PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return part;
    }

    private static bool SameETag(string stored, string listed) => ReadConditions.Unquote(stored) == ReadConditions.Unquote(listed.Trim());

}

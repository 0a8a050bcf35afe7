using S3Overlay.Storage.FileSystem.Index;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// ListMultipartUploads over the listing index: one seek to where the page starts (the prefix, just
/// after the key marker, or just after the upload the upload-id marker names), then the uploads it
/// returns, each checked in its folder (its record read: one file an upload); a common prefix costs
/// one seek past all its uploads. Without the index every page read the record of every upload in
/// progress in the bucket and sorted them.
/// </summary>
internal sealed partial class FileSystemObjectStore
{
    private async Task<UploadsPage> ListIndexedUploadsAsync(string bucket, UploadsRequest request, string prefix, string? delimiter, CancellationToken ct)
    {
        var uploads = new List<MultipartUpload>();
        var prefixes = new List<string>();
        if (request.MaxUploads <= 0) return new UploadsPage(uploads, prefixes, false, null, null);
        var keyMarker = string.IsNullOrEmpty(request.KeyMarker) ? null : request.KeyMarker;
        var uploadsDir = _layout.UploadsDir(bucket);
        var end = prefix.Length == 0 ? PastEveryKey : ListingIndex.PastPrefix(prefix);
        var (from, initiated, id) = (FirstOfPage(prefix, keyMarker), -1L, "");
        // With an upload-id marker naming an upload of the marker key: just after that upload, as S3 resumes.
        if (keyMarker is not null && Utf8Order.Compare(keyMarker, prefix) >= 0 && request.UploadIdMarker is { } marker && UploadFolder.IsWellFormed(marker)
            && new UploadFolder(uploadsDir, marker).ReadRecord() is { } named && named.Key == keyMarker)
            (from, initiated, id) = (ListingIndex.Bytes(keyMarker), named.Initiated.UtcTicks, marker);
        (string Key, string? UploadId)? last = null;
        while (true)
        {
            string? skipPast = null;
            foreach (var row in _index!.Uploads(bucket, from, initiated, id, end))
            {
                ct.ThrowIfCancellationRequested();
                if (await ListedUploadAsync(bucket, uploadsDir, row, ct) is not { } upload) continue;
                if (ListRequest.CommonPrefixOf(upload.Key, prefix, delimiter) is { } common)
                {
                    // As in listings, a common prefix at or before the key marker was on an earlier page.
                    if (common != last?.Key && (keyMarker is null || Utf8Order.Compare(common, keyMarker) > 0))
                    {
                        if (uploads.Count + prefixes.Count >= request.MaxUploads) return new UploadsPage(uploads, prefixes, true, last?.Key, last?.UploadId);
                        prefixes.Add(common);
                        last = (common, null);
                    }
                    skipPast = common;
                    break;
                }
                if (uploads.Count + prefixes.Count >= request.MaxUploads) return new UploadsPage(uploads, prefixes, true, last?.Key, last?.UploadId);
                uploads.Add(upload);
                last = (upload.Key, upload.UploadId);
            }
            if (skipPast is null) return new UploadsPage(uploads, prefixes, false, null, null);
            (from, initiated, id) = (ListingIndex.PastPrefix(skipPast), -1L, "");
        }
    }

    /// <summary>
    /// The upload a row names, from its record; null, and the row dropped under the upload's lock,
    /// when its folder is gone (completed or aborted by a store that keeps no index, or a kill between the folder's removal and the row's).
    /// </summary>
    private async Task<MultipartUpload?> ListedUploadAsync(string bucket, string uploadsDir, IndexedUpload row, CancellationToken ct)
    {
        var folder = new UploadFolder(uploadsDir, row.Id);
        if (folder.ReadRecord() is { } record && record.Key == row.Key) return new MultipartUpload(record.Key, row.Id, record.Initiated);
        using (await _uploadLocks.AcquireAsync(bucket, row.Id, ct))
        {
            if (folder.ReadRecord() is { } made && made.Key == row.Key) return new MultipartUpload(made.Key, row.Id, made.Initiated); // made meanwhile
            if (!Directory.Exists(folder.Dir)) _index!.RemoveUpload(bucket, row);
        }
        return null;
    }
}

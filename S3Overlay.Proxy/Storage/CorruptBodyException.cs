namespace S3Overlay.Storage;

/// <summary>
/// A body a store sent that is not the object its headers describe (other bytes than its MD5 or
/// checksum say). On a store that writes in place, s3rver for one, that is what a writer cut off
/// mid-PUT leaves, for good: s3rver keeps the old ETag over the new bytes it got. A reader of a
/// small record of the overlay's own may take it for no record and write it anew.
/// </summary>
internal sealed class CorruptBodyException(string message, Exception inner) : IOException(message, inner);

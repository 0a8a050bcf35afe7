namespace S3Overlay.Storage;

/// <summary>
/// The header that marks an answer holding what the remote said before, served because it fails
/// now (<c>S3_OVERLAY_STALE_IF_ERROR</c>): <c>listing</c> for a listing page, <c>not-found</c> for a
/// "no such key". A client or an operator can tell such an answer from a live one.
/// </summary>
internal static class StaleAnswers
{
    public const string Header = "x-s3overlay-stale";
}

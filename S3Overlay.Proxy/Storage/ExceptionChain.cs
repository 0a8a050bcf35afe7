namespace S3Overlay.Storage;

/// <summary>
/// An exception and the ones inside it: a failure a library wraps (an HTTP client's socket error,
/// a store's full disk under a spill's write) is told by what it wraps, at any depth.
/// </summary>
internal static class ExceptionChain
{
    /// <summary><paramref name="failure"/> and each inner exception, outermost first; none for null.</summary>
    public static IEnumerable<Exception> Of(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException) yield return e;
    }
}

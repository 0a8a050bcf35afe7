using System.Xml;

namespace S3Overlay.Streams;

/// <summary>How every XML document from outside is read (clients' requests, servers' error documents).</summary>
internal static class UntrustedXml
{
    /// <summary>No DTD, no resolver, at most <paramref name="maxCharacters"/> characters; comments and processing instructions skipped.</summary>
    public static XmlReaderSettings ReaderSettings(long maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };
}

namespace S3Overlay.Streams;

/// <summary>
/// How far the client has taken a response, as its connection tells: not what the server has
/// written, which a connection's buffers take by the megabyte whether or not the client reads it
/// (a loopback socket took 4 MiB from a client that read 64 KiB and hung up).
/// </summary>
internal interface IReaderProgress
{
    /// <summary>
    /// Bytes of the response the client has read (its headers included), as its side last said;
    /// it may lag by up to <see cref="Slack"/>, since a client that reads a few bytes more does
    /// not always say so while nothing more comes. Null once the client has gone.
    /// </summary>
    long? Taken { get; }

    /// <summary>How far <see cref="Taken"/> may lag behind what the client has read.</summary>
    long Slack { get; }
}

/// <summary>A body that paces the work it does for its reader by what the reader has taken (given before its first read).</summary>
internal interface IPacedBody
{
    /// <summary>
    /// Whether it paces at all: a wrapper says what it wraps. Asked first, since telling a
    /// reader's progress costs a socket query and an object a response.
    /// </summary>
    bool Paced { get; }

    IReaderProgress? Progress { set; }
}

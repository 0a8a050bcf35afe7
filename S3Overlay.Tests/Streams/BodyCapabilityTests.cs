using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Overlay.Fills;
using S3Overlay.Streams;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;
using System.Diagnostics.Metrics;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.Tests.Streams;

/// <summary>
/// What a body can do beyond being read (be sent as a file, piece by piece, be paced by its
/// reader) survives every wrapper that hands its bytes on as they are: such a wrapper is a
/// <see cref="BodyDecorator"/>, and every other stream that wraps a stream says why it has
/// nothing to hand on. A new wrapper that is neither fails here instead of silently turning
/// sendfile or read pacing off.
/// </summary>
[UnitTests]
public class BodyCapabilityTests
{
    /// <summary>Streams that wrap a stream and change or check its bytes: no file or pacing of the inner one applies to what they give.</summary>
    private static readonly Dictionary<string, string> ChangesTheBytes = new()
    {
        ["VerifyingStream"] = "checks every byte as it is read: a file sent by the kernel would pass unchecked",
        ["DecryptingStream"] = "gives other bytes than the file holds",
        ["EncryptingStream"] = "gives other bytes than the file holds",
        ["RangeWindowStream"] = "gives a window of what it wraps, skipping what comes before",
        ["ReadIdleTimeoutStream"] = "bounds the reads of a remote HTTP body, which is neither a file nor paced",
        ["ServerWaitBound"] = "bounds the reads of an upload to a remote, which is neither a file nor paced",
        ["LengthRangeStream"] = "checks the length of a POST upload as it is read",
        ["AwsChunkedStream"] = "decodes an aws-chunked request payload",
        ["TurnAtBodyEnd"] = "takes the key's turn when its write's body is read to its end: a file taken from it would skip that",
    };

    /// <summary>Each wrapper that hands its bytes on, around a given body, as the product makes it.</summary>
    private static readonly Dictionary<Type, Func<Stream, BodyDecorator>> Wrappers = new()
    {
        [typeof(MeasuredBody)] = inner => new MeasuredBody(inner, OverlayTelemetry.Sources.Local, null, Metrics()),
        [typeof(RemoteFallback)] = inner => new RemoteFallback(inner, 0, Capable.Size,
            (_, _, _) => throw new InvalidOperationException("the fill did not fail")),
    };

    private static IEnumerable<Type> ProductStreams() =>
        typeof(BodyDecorator).Assembly.GetTypes().Where(t => typeof(Stream).IsAssignableFrom(t) && !t.IsAbstract);

    private static bool WrapsAStream(Type type) =>
        type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(Stream)));

    [Fact]
    public void Every_stream_that_wraps_a_stream_hands_on_its_capabilities_or_changes_the_bytes()
    {
        var wrappers = ProductStreams().Where(WrapsAStream).ToList();
        var neither = wrappers.Where(t => !t.IsSubclassOf(typeof(BodyDecorator)) && !ChangesTheBytes.ContainsKey(t.Name)).Select(t => t.FullName);
        Assert.Empty(neither);
        // The list names streams that exist and wrap: a stale name would excuse a later stream of that name.
        Assert.Empty(ChangesTheBytes.Keys.Except(wrappers.Select(t => t.Name)));
        Assert.Empty(wrappers.Where(t => t.IsSubclassOf(typeof(BodyDecorator)) && ChangesTheBytes.ContainsKey(t.Name)).Select(t => t.Name));
    }

    [Fact]
    public void Every_body_decorator_is_checked_here()
    {
        var decorators = ProductStreams().Where(t => t.IsSubclassOf(typeof(BodyDecorator))).ToHashSet();
        Assert.Equal(decorators.OrderBy(t => t.Name), Wrappers.Keys.OrderBy(t => t.Name));
    }

    public static TheoryData<string> WrapperNames => [.. Wrappers.Keys.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(WrapperNames))]
    public async Task A_wrapper_hands_on_the_file_the_pieces_and_the_pacing_of_what_it_wraps(string wrapper)
    {
        var inner = new Capable(paced: true);
        await using var body = Wrap(wrapper, inner);

        Assert.True(((IPacedBody)body).Paced);
        var progress = new FixedProgress();
        ((IPacedBody)body).Progress = progress;
        Assert.Same(progress, inner.Progress);

        var piece = await ((IFilePieces)body).NextPieceAsync(CancellationToken.None);
        Assert.Same(inner.Piece, piece);
        var file = ((IFileBody)body).TakeFile();
        Assert.Same(inner.File, file);
    }

    [Theory]
    [MemberData(nameof(WrapperNames))]
    public async Task A_wrapper_of_an_unpaced_body_is_not_paced(string wrapper)
    {
        // The front end asks a connection for its reader's progress (a socket query) only for a paced body.
        var inner = new Capable(paced: false);
        await using var body = Wrap(wrapper, inner);
        Assert.False(((IPacedBody)body).Paced);
    }

    [Theory]
    [MemberData(nameof(WrapperNames))]
    public async Task A_wrapper_of_a_plain_stream_gives_no_file_and_no_piece(string wrapper)
    {
        await using var body = Wrap(wrapper, new MemoryStream(new byte[Capable.Size]));
        Assert.Null(((IFileBody)body).TakeFile());
        Assert.Null(await ((IFilePieces)body).NextPieceAsync(CancellationToken.None));
        Assert.False(((IPacedBody)body).Paced);
        ((IPacedBody)body).Progress = new FixedProgress();
        Assert.Equal(Capable.Size, await CountAsync(body));
    }

    private static BodyDecorator Wrap(string wrapper, Stream inner) => Wrappers.Single(w => w.Key.Name == wrapper).Value(inner);

    private static async Task<long> CountAsync(Stream body)
    {
        var total = 0L;
        var buffer = new byte[4096];
        for (int n; (n = await body.ReadAsync(buffer)) > 0;) total += n;
        return total;
    }

    private static OverlayMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private sealed class FixedProgress : IReaderProgress
    {
        public long? Taken => 0;
        public long Slack => 0;
    }

    /// <summary>A body that can do everything a body can, and keeps what it was given.</summary>
    private sealed class Capable(bool paced) : PayloadStream, IFileBody, IFilePieces, IPacedBody
    {
        public const int Size = 10;
        public readonly FileRange File = new(new SafeFileHandle(0, ownsHandle: false), 0, Size);
        public readonly FileRange Piece = new(new SafeFileHandle(0, ownsHandle: false), 0, Size);

        public IReaderProgress? Progress { get; set; }
        public bool Paced => paced;
        public FileRange? TakeFile() => File;
        public ValueTask<FileRange?> NextPieceAsync(CancellationToken ct) => new(Piece);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(0);
        public override long Length => Size;
    }
}

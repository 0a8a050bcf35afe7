using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// Records the spans the proxy makes (its request spans, the overlay's decisions and the HTTP
/// calls to the remote) with an ActivityListener, as a tracing backend would. Listeners are
/// process-wide, so a test picks its own trace out by its request span (own bucket and key).
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private static readonly string[] Sources = ["Microsoft.AspNetCore", "S3Overlay", "System.Net.Http"];

    /// <summary>Tags shown in <see cref="Render"/>, in this order, when present.</summary>
    private static readonly string[] ShownTags = ["overlay.cached", "overlay.chunk.index", "overlay.coalesced"];

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly HashSet<ActivitySpanId> _taken = [];

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>
    /// The traces of the next <paramref name="count"/> requests for <paramref name="operation"/>
    /// on <paramref name="bucket"/> (in the order they started; each is returned once), as soon as
    /// <paramref name="complete"/> holds for each: spans stop after the client has its last byte,
    /// and fills may finish later still.
    /// </summary>
    public async Task<IReadOnlyList<Trace>> TracesAsync(string operation, string bucket, int count, Func<Trace, bool> complete)
    {
        List<Trace> traces = [];
        for (var attempt = 0; attempt < 400; attempt++)
        {
            var roots = _stopped
                .Where(a => a.Source.Name == "Microsoft.AspNetCore" && !_taken.Contains(a.SpanId)
                    && Equals(a.GetTagItem("s3.operation"), operation) && Equals(a.GetTagItem("s3.bucket"), bucket))
                .OrderBy(a => a.StartTimeUtc).Take(count).ToList();
            traces = [.. roots.Select(root => new Trace(root, [.. _stopped.Where(a => a.TraceId == root.TraceId)]))];
            if (traces.Count == count && traces.All(complete))
            {
                foreach (var trace in traces) _taken.Add(trace.Root.SpanId);
                return traces;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"{traces.Count} of {count} complete {operation} traces on {bucket} after 10 s; recorded:\n{string.Join("\n", traces.Select(t => t.Render()))}");
        return null!;
    }

    public async Task<Trace> NextTraceAsync(string operation, string bucket, Func<Trace, bool> complete) =>
        (await TracesAsync(operation, bucket, 1, complete))[0];

    public void Dispose() => _listener.Dispose();

    /// <summary>One request's spans.</summary>
    public sealed class Trace(Activity root, IReadOnlyList<Activity> spans)
    {
        public Activity Root { get; } = root;
        public IReadOnlyList<Activity> Spans { get; } = spans;

        public IEnumerable<Activity> Named(string name) => Spans.Where(s => s.DisplayName == name);

        /// <summary>The proxy's calls to the remote: HTTP client spans under the request, not under another one.</summary>
        public IReadOnlyList<Activity> RemoteCalls
        {
            get
            {
                List<Activity> calls = [];
                void Walk(Activity span)
                {
                    foreach (var child in ChildrenOf(span))
                        if (child.Source.Name == "System.Net.Http") calls.Add(child);
                        else Walk(child);
                }
                Walk(Root);
                return calls;
            }
        }

        public IEnumerable<Activity> ChildrenOf(Activity parent) =>
            Spans.Where(s => s.ParentSpanId == parent.SpanId).OrderBy(s => s.StartTimeUtc);

        /// <summary>The tree as indented lines: display name, then the overlay tags that tell decisions apart.</summary>
        public string Render()
        {
            var text = new StringBuilder();
            void Walk(Activity span, int depth)
            {
                text.Append(' ', depth * 2).Append(span.DisplayName);
                foreach (var tag in ShownTags)
                    if (span.GetTagItem(tag) is { } value) text.Append(' ').Append(tag).Append('=').Append(Format(value));
                text.Append('\n');
                // A call to the remote is where the proxy's trace ends: what the remote (here the
                // tests' relay, in this process) does under it is not the proxy's.
                if (span.Source.Name == "System.Net.Http") return;
                foreach (var child in ChildrenOf(span)) Walk(child, depth + 1);
            }
            Walk(Root, 0);
            return text.ToString();
        }

        private static string Format(object value) => value is bool b ? (b ? "true" : "false") : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
    }
}

using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using ByteRange = Amazon.S3.Model.ByteRange;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// One client of the load run and what it wrote. In the bucket the remote backs it reads the
/// remote's objects (whole, ranged, HEAD) and writes, reads, lists and deletes keys of its own,
/// each written in the clear, SSE-S3 or SSE-C; it writes keys a lifecycle rule expires a day after
/// (<see cref="ExpiringPrefix"/>); and it works on versions in a versioned bucket
/// (<see cref="LoadVersions"/>). Every answer is checked against what it wrote.
/// </summary>
public sealed class LoadClient(int client, int seed, LoadTally tally)
{
    public const string Bucket = "load";
    public const string ExpiringPrefix = "exp/";
    public const int RemoteObjects = 24;
    private const long RemoteSize = 64 * 1024;
    private const long ChunkedSize = 5 * 65_536 + 77;

    private sealed record Written(int Seed, LoadSealing Sealing, long SentAt);

    private readonly Random _random = new(seed);
    // Each client's keys outlive the warm-up: what it wrote then is still there (and listed) after.
    private readonly Dictionary<string, Written> _mine = new();
    private readonly Dictionary<string, Written> _expiring = new();
    private readonly LoadVersions _versions = new(client, tally);

    /// <inheritdoc cref="LoadVersions.NoncurrentExpiredAfterTheLoadAsync"/>
    public Task<string?> NoncurrentExpiredAfterTheLoadAsync(AmazonS3Client s3, TimeSpan grace) => _versions.NoncurrentExpiredAfterTheLoadAsync(s3, grace);

    /// <summary>The keys it last wrote (and did not delete) outside the expiring prefix.</summary>
    public IEnumerable<string> Keys => _mine.Keys;

    public static long Size(int i) => i % 8 == 7 ? ChunkedSize : RemoteSize - i * 100;

    /// <summary>One operation, its answer checked; returns the body bytes it moved.</summary>
    public async Task<long> OperateAsync(AmazonS3Client s3)
    {
        var own = $"c{client}/k{_random.Next(4)}";
        var choice = _random.Next(16);
        // The fill limit's SlowDown is the caller's to count; any other S3 error is said with the operation that met it.
        try { return await OperateAsync(s3, own, choice); }
        catch (AmazonS3Exception e) when (e.ErrorCode != "SlowDown") { throw new InvalidOperationException($"{Operations[choice]} ({own}): {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e); }
    }

    private static readonly string[] Operations =
    [
        "remote GET", "remote GET", "remote GET", "remote range GET", "PUT", "PUT", "GET", "listing", "DELETE", "remote HEAD",
        "versioned operation", "versioned operation", "versioned operation", "expiring PUT", "expiring GET", "expiring GET",
    ];

    private async Task<long> OperateAsync(AmazonS3Client s3, string own, int choice)
    {
        switch (choice)
        {
            case 0 or 1 or 2:
            {
                var i = _random.Next(RemoteObjects);
                using var get = await s3.GetObjectAsync(Bucket, $"r{i}");
                return await Expect(get.ResponseStream, 0, Size(i), i, $"r{i}");
            }
            case 3:
            {
                var i = _random.Next(RemoteObjects);
                var first = _random.Next((int)Size(i) - 1);
                var last = Math.Min(Size(i) - 1, first + _random.Next(1, 100_000));
                using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = $"r{i}", ByteRange = new ByteRange(first, last) });
                return await Expect(get.ResponseStream, first, last - first + 1, i, $"r{i} {first}-{last}");
            }
            case 4 or 5:
                return await PutAsync(s3, own, _mine);
            case 6:
                return _mine.TryGetValue(own, out var mine) ? await ReadAsync(s3, own, mine, whole: _random.Next(3) > 0) : 0;
            case 7:
            {
                var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = $"c{client}/" });
                var listed = (list.S3Objects ?? []).Select(o => (o.Key, Size: o.Size ?? -1)).OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
                var written = _mine.Select(w => (w.Key, Size: Length(w.Value.Seed))).OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
                if (!listed.SequenceEqual(written)) throw new InvalidOperationException($"listed [{string.Join(",", listed)}], wrote [{string.Join(",", written)}]");
                return 0;
            }
            case 8:
                await s3.DeleteObjectAsync(Bucket, own);
                _mine.Remove(own);
                return 0;
            case 9:
            {
                var i = _random.Next(RemoteObjects);
                var head = await s3.GetObjectMetadataAsync(Bucket, $"r{i}");
                if (head.ContentLength != Size(i)) throw new InvalidOperationException($"HEAD r{i}: {head.ContentLength} bytes, not {Size(i)}");
                return 0;
            }
            case 10 or 11 or 12:
                return await _versions.OperateAsync(s3, _random);
            case 13:
                return await PutAsync(s3, ExpiringKey(), _expiring);
            default:
                return await ReadExpiringAsync(s3, ExpiringKey());
        }
    }

    private string ExpiringKey() => $"{ExpiringPrefix}c{client}/k{_random.Next(2)}";

    private async Task<long> PutAsync(AmazonS3Client s3, string key, Dictionary<string, Written> ledger)
    {
        var version = _random.Next(1, 1_000_000);
        var sealing = LoadEncryption.Pick(_random);
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = PatternData.Open(Length(version), version) };
        LoadEncryption.Seal(put, sealing, client);
        var sent = Stopwatch.GetTimestamp();
        await s3.PutObjectAsync(put);
        ledger[key] = new Written(version, sealing, sent);
        return Length(version);
    }

    /// <summary>A key it wrote, whole or a range of it, with its SSE-C key if it has one; the answer must name the sealing written.</summary>
    private async Task<long> ReadAsync(AmazonS3Client s3, string key, Written written, bool whole)
    {
        var length = Length(written.Seed);
        var first = whole || length < 2 ? 0 : _random.Next((int)length - 1);
        var last = whole || length < 2 ? length - 1 : _random.Next(first, (int)length);
        var get = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (!whole && length >= 2) get.ByteRange = new ByteRange(first, last);
        LoadEncryption.Unseal(get, written.Sealing, client);
        using var got = await Answered(s3.GetObjectAsync(get), $"GET {key} (written {written.Sealing} {Stopwatch.GetElapsedTime(written.SentAt).TotalSeconds:0.0} s ago)");
        if (LoadEncryption.Mismatch(got.ServerSideEncryptionMethod, got.ServerSideEncryptionCustomerMethod, written.Sealing) is { } wrong) throw new InvalidOperationException($"{key}: {wrong}");
        var moved = await Expect(got.ResponseStream, first, last - first + 1, written.Seed, $"{key} {written.Sealing} {first}-{last}");
        if (written.Sealing != LoadSealing.None) tally.SealedRead();
        return moved;
    }

    /// <summary>An expiring key: what was written last, or (a lifecycle day after it was written, not before) gone.</summary>
    private async Task<long> ReadExpiringAsync(AmazonS3Client s3, string key)
    {
        try
        {
            if (!_expiring.TryGetValue(key, out var written))
            {
                using var found = await s3.GetObjectAsync(Bucket, key);
                throw new InvalidOperationException($"{key} expired (or never written) is back: {found.ContentLength} bytes");
            }
            return await ReadAsync(s3, key, written, whole: true);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            if (!_expiring.Remove(key, out var written)) return 0;
            var age = Stopwatch.GetElapsedTime(written.SentAt);
            // The server stamps an object when its write ends, after our send: a second's leeway for the two clocks.
            if (age < TimeSpan.FromSeconds(LoadVersions.DaySeconds - 1)) throw new InvalidOperationException($"{key} gone {age.TotalSeconds:0.00} s after its write, before its lifecycle day of {LoadVersions.DaySeconds} s");
            tally.ExpiredOne();
            return 0;
        }
    }

    /// <summary>After the load: every expiring key it wrote goes within <paramref name="grace"/> of its day; null, or the ones that stayed.</summary>
    public async Task<string?> ExpiredAfterTheLoadAsync(AmazonS3Client s3, TimeSpan grace)
    {
        foreach (var (key, written) in _expiring.ToArray())
        {
            var due = TimeSpan.FromSeconds(LoadVersions.DaySeconds) + grace;
            while (true)
            {
                try
                {
                    var head = new GetObjectMetadataRequest { BucketName = Bucket, Key = key };
                    LoadEncryption.Unseal(head, written.Sealing, client);
                    await s3.GetObjectMetadataAsync(head);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    _expiring.Remove(key);
                    tally.ExpiredOne();
                    break;
                }
                if (Stopwatch.GetElapsedTime(written.SentAt) > due) return $"{key} still there {Stopwatch.GetElapsedTime(written.SentAt).TotalSeconds:0} s after its write (its lifecycle day is {LoadVersions.DaySeconds} s)";
                await Task.Delay(250);
            }
        }
        return null;
    }

    private static long Length(int seed) => seed % 65_536;

    /// <summary>An S3 error other than a 404 said with what was asked (a 404 is for the caller to judge).</summary>
    public static async Task<T> Answered<T>(Task<T> request, string what)
    {
        try { return await request; }
        catch (AmazonS3Exception e) when (e.StatusCode != HttpStatusCode.NotFound) { throw new InvalidOperationException($"{what}: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e); }
    }

    private static async Task<long> Expect(Stream body, long offset, long length, int seed, string what) =>
        await PatternData.MismatchAsync(body, offset, length, seed) is { } wrong ? throw new InvalidOperationException($"{what}: {wrong}") : length;
}

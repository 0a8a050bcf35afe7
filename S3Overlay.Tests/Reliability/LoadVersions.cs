using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Object versions in the load: one client's keys in a bucket that keeps versions (local-only).
/// It overwrites them, reads and HEADs versions by id, deletes (a delete marker) and deletes
/// versions by id, reads the latest, and lists the versions, each answer checked against what it
/// wrote (newest last per key). Keys under <see cref="ExpiringPrefix"/> lose their noncurrent
/// versions to a lifecycle rule (<see cref="LoadTests"/> puts it): such a version may be gone once
/// a lifecycle day has passed since it was replaced, and not before.
/// </summary>
public sealed class LoadVersions(int client, LoadTally tally)
{
    public const string Bucket = "load-versions";
    public const string ExpiringPrefix = "vx/";
    private const int KeptPerKey = 5;

    /// <summary>One version as written: its id, its bytes' seed (null: a delete marker), its sealing, and from when it may be expired.</summary>
    private sealed class Version(string id, int? seed, LoadSealing sealing)
    {
        public string Id { get; } = id;
        public int? Seed { get; } = seed;
        public LoadSealing Sealing { get; } = sealing;

        /// <summary>When the write that replaced it was sent (its successor was created no earlier).</summary>
        public long? ReplacedAt { get; set; }
    }

    private readonly Dictionary<string, List<Version>> _keys = new();

    private string[] Keys => [$"v/c{client}/k0", $"v/c{client}/k1", $"{ExpiringPrefix}c{client}/k0"];

    /// <summary>The lifecycle day's seconds (<c>S3_OVERLAY_LIFECYCLE_DAY_SECONDS</c>); a rule of one day.</summary>
    public static int DaySeconds => 2;

    /// <summary>One versioned operation; returns the body bytes it moved.</summary>
    public async Task<long> OperateAsync(AmazonS3Client s3, Random random)
    {
        var key = Keys[random.Next(Keys.Length)];
        var versions = _keys.TryGetValue(key, out var known) ? known : _keys[key] = [];
        switch (random.Next(8))
        {
            case 0 or 1:
                return await PutAsync(s3, random, key, versions);
            case 2 or 3:
                return await ReadByIdAsync(s3, random, key, versions);
            case 4:
                return await ReadLatestAsync(s3, key, versions);
            case 5:
            {
                var sent = Stopwatch.GetTimestamp();
                var deleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key });
                if (deleted.DeleteMarker != "true" || string.IsNullOrEmpty(deleted.VersionId)) throw new InvalidOperationException($"DELETE {key} in a versioned bucket made no delete marker (x-amz-delete-marker {deleted.DeleteMarker}, version {deleted.VersionId})");
                Replace(versions, new Version(deleted.VersionId, null, LoadSealing.None), sent);
                return 0;
            }
            case 6:
            {
                // A version by id: any but the newest of a key whose noncurrent versions expire (see the class).
                var choices = key.StartsWith(ExpiringPrefix, StringComparison.Ordinal) ? versions.Count - 1 : versions.Count;
                if (choices <= 0) return 0;
                await DeleteVersionAsync(s3, key, versions, versions[random.Next(choices)]);
                return 0;
            }
            default:
                await CheckListingAsync(s3, $"v/c{client}/");
                await CheckListingAsync(s3, $"{ExpiringPrefix}c{client}/");
                return 0;
        }
    }

    private async Task<long> PutAsync(AmazonS3Client s3, Random random, string key, List<Version> versions)
    {
        var seed = random.Next(1, 1_000_000);
        var sealing = LoadEncryption.Pick(random);
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = PatternData.Open(Length(seed), seed) };
        LoadEncryption.Seal(put, sealing, client);
        var sent = Stopwatch.GetTimestamp();
        var written = await s3.PutObjectAsync(put);
        if (string.IsNullOrEmpty(written.VersionId) || written.VersionId == "null") throw new InvalidOperationException($"PUT {key} in a versioned bucket got version id '{written.VersionId}'");
        Replace(versions, new Version(written.VersionId, seed, sealing), sent);
        // Versions pile up: the oldest goes by id (it is nobody's successor, so no expiry clock changes).
        if (versions.Count > KeptPerKey) await DeleteVersionAsync(s3, key, versions, versions[0]);
        return Length(seed);
    }

    private static void Replace(List<Version> versions, Version newest, long sent)
    {
        if (versions.Count > 0) versions[^1].ReplacedAt = sent;
        versions.Add(newest);
    }

    private async Task DeleteVersionAsync(AmazonS3Client s3, string key, List<Version> versions, Version version)
    {
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key, VersionId = version.Id });
        versions.Remove(version);
    }

    private async Task<long> ReadByIdAsync(AmazonS3Client s3, Random random, string key, List<Version> versions)
    {
        var objects = versions.Where(v => v.Seed is not null).ToList();
        if (objects.Count == 0) return 0;
        var version = objects[random.Next(objects.Count)];
        var what = $"{key} version {version.Id} ({(version == versions[^1] ? "current" : "noncurrent")})";
        try
        {
            if (random.Next(2) == 0)
            {
                var head = new GetObjectMetadataRequest { BucketName = Bucket, Key = key, VersionId = version.Id };
                LoadEncryption.Unseal(head, version.Sealing, client);
                var found = await LoadClient.Answered(s3.GetObjectMetadataAsync(head), $"HEAD {what} {version.Sealing}");
                if (found.VersionId != version.Id || found.ContentLength != Length(version.Seed!.Value))
                    throw new InvalidOperationException($"HEAD {what}: version {found.VersionId}, {found.ContentLength} bytes, not {Length(version.Seed!.Value)}");
                Sealed(found.ServerSideEncryptionMethod, found.ServerSideEncryptionCustomerMethod, version, what);
                return 0;
            }
            var get = new GetObjectRequest { BucketName = Bucket, Key = key, VersionId = version.Id };
            LoadEncryption.Unseal(get, version.Sealing, client);
            using var got = await LoadClient.Answered(s3.GetObjectAsync(get), $"GET {what} {version.Sealing}");
            if (got.VersionId != version.Id) throw new InvalidOperationException($"GET {what} answered version {got.VersionId}");
            Sealed(got.ServerSideEncryptionMethod, got.ServerSideEncryptionCustomerMethod, version, what);
            var length = await Expect(got.ResponseStream, version, what);
            tally.VersionRead();
            return length;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && MayBeExpired(key, version))
        {
            versions.Remove(version);
            tally.NoncurrentExpiredOne();
            return 0;
        }
    }

    private async Task<long> ReadLatestAsync(AmazonS3Client s3, string key, List<Version> versions)
    {
        var latest = versions.Count > 0 ? versions[^1] : null;
        var get = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (latest is not null) LoadEncryption.Unseal(get, latest.Sealing, client);
        try
        {
            using var got = await LoadClient.Answered(s3.GetObjectAsync(get), $"GET {key} (latest {latest?.Id} {latest?.Sealing})");
            if (latest?.Seed is null) throw new InvalidOperationException($"GET {key}: version {got.VersionId} served, but {(latest is null ? "it has no version" : "its latest is a delete marker")}");
            if (got.VersionId != latest.Id) throw new InvalidOperationException($"GET {key}: version {got.VersionId} served, the latest is {latest.Id}");
            Sealed(got.ServerSideEncryptionMethod, got.ServerSideEncryptionCustomerMethod, latest, key);
            return await Expect(got.ResponseStream, latest, $"{key} (latest, {latest.Id})");
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && latest?.Seed is null)
        {
            if (e.ErrorCode != "NoSuchKey") throw new InvalidOperationException($"GET {key} under a delete marker: {e.ErrorCode}, not NoSuchKey");
            return 0;
        }
    }

    /// <summary>The versions listed under <paramref name="prefix"/>, newest first per key, against what was written; versions expired by the rule are forgotten.</summary>
    private async Task CheckListingAsync(AmazonS3Client s3, string prefix)
    {
        var listed = new List<S3ObjectVersion>();
        var request = new ListVersionsRequest { BucketName = Bucket, Prefix = prefix, MaxKeys = 4 };
        while (true)
        {
            var page = await LoadClient.Answered(s3.ListVersionsAsync(request), $"ListObjectVersions {prefix}");
            listed.AddRange(page.Versions ?? []);
            if (page.IsTruncated != true) break;
            (request.KeyMarker, request.VersionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }
        foreach (var key in Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var versions = _keys.TryGetValue(key, out var known) ? known : [];
            var found = listed.Where(v => v.Key == key).ToList();
            var gone = versions.Where(v => found.All(f => f.VersionId != v.Id)).ToList();
            if (gone.Any(v => !MayBeExpired(key, v)) || found.Any(f => versions.All(v => v.Id != f.VersionId)))
                throw new InvalidOperationException($"ListObjectVersions {key}: listed [{string.Join(", ", found.Select(Describe))}], written [{string.Join(", ", versions.AsEnumerable().Reverse().Select(Describe))}]; " +
                                                    $"by id, those not listed: {string.Join(", ", await Task.WhenAll(gone.Select(v => HeadByIdAsync(s3, key, v))))}");
            foreach (var expired in gone)
            {
                versions.Remove(expired);
                tally.NoncurrentExpiredOne();
            }
            // Every version listed with the size written, encrypted or not (as S3 lists it).
            var expected = versions.AsEnumerable().Reverse().Select((v, i) => (v.Id, Marker: v.Seed is null, Latest: i == 0, Size: v.Seed is { } s ? Length(s) : 0)).ToList();
            var actual = found.Select((f, i) => (Id: f.VersionId, Marker: f.IsDeleteMarker == true, Latest: f.IsLatest == true,
                Size: f.IsDeleteMarker == true ? 0 : f.Size ?? -1)).ToList();
            if (!expected.SequenceEqual(actual))
                throw new InvalidOperationException($"ListObjectVersions {key}: listed [{string.Join(", ", actual)}], written newest first [{string.Join(", ", expected)}]");
        }
    }

    /// <summary>
    /// After the load: the expiring key's noncurrent versions go within <paramref name="grace"/> of
    /// their day, and its latest stays; null, or what the listing still holds.
    /// </summary>
    public async Task<string?> NoncurrentExpiredAfterTheLoadAsync(AmazonS3Client s3, TimeSpan grace)
    {
        var prefix = $"{ExpiringPrefix}c{client}/";
        var key = Keys.Single(k => k.StartsWith(prefix, StringComparison.Ordinal));
        if (!_keys.TryGetValue(key, out var versions) || versions.Count < 2) return null;
        var replaced = versions[^2].ReplacedAt!.Value;
        while (true)
        {
            // Checked as during the load, so the latest must still be listed; noncurrent ones listed are forgotten as they go.
            await CheckListingAsync(s3, prefix);
            if (versions.Count == 1) return null;
            if (Stopwatch.GetElapsedTime(replaced) > TimeSpan.FromSeconds(DaySeconds) + grace)
                return $"{key}: {versions.Count - 1} noncurrent versions still listed {Stopwatch.GetElapsedTime(replaced).TotalSeconds:0} s after the last was replaced (a lifecycle day is {DaySeconds} s)";
            await Task.Delay(250);
        }
    }

    /// <summary>What a HEAD by id finds of a version the listing left out (a delete marker answers 405 when it is there): is it stored, or lost?</summary>
    private async Task<string> HeadByIdAsync(AmazonS3Client s3, string key, Version version)
    {
        var head = new GetObjectMetadataRequest { BucketName = Bucket, Key = key, VersionId = version.Id };
        LoadEncryption.Unseal(head, version.Sealing, client);
        try
        {
            await s3.GetObjectMetadataAsync(head);
            return $"{version.Id} found";
        }
        catch (AmazonS3Exception e)
        {
            return $"{version.Id} {(int)e.StatusCode}{(e.StatusCode == HttpStatusCode.MethodNotAllowed ? " (a marker, there)" : "")}";
        }
    }

    /// <summary>A noncurrent version of an expiring key, replaced a lifecycle day ago (less a second: the server's clock and ours read apart).</summary>
    private static bool MayBeExpired(string key, Version version) =>
        key.StartsWith(ExpiringPrefix, StringComparison.Ordinal) && version.ReplacedAt is { } replaced
        && Stopwatch.GetElapsedTime(replaced) >= TimeSpan.FromSeconds(DaySeconds - 1);

    private static string Describe(Version v) => $"{v.Id}{(v.Seed is null ? " marker" : "")}";

    private static string Describe(S3ObjectVersion v) => $"{v.VersionId}{(v.IsDeleteMarker == true ? " marker" : "")}{(v.IsLatest == true ? " latest" : "")}";

    private static void Sealed(ServerSideEncryptionMethod? method, ServerSideEncryptionCustomerMethod? customer, Version version, string what)
    {
        if (LoadEncryption.Mismatch(method, customer, version.Sealing) is { } wrong) throw new InvalidOperationException($"{what}: {wrong}");
    }

    private static async Task<long> Expect(Stream body, Version version, string what) =>
        await PatternData.MismatchAsync(body, 0, Length(version.Seed!.Value), version.Seed.Value) is { } wrong ? throw new InvalidOperationException($"{what}: {wrong}") : Length(version.Seed.Value);

    private static long Length(int seed) => seed % 20_000;
}

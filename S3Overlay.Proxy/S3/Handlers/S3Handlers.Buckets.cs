using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Xml;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Handlers;

internal sealed partial class S3Handlers
{
    /// <summary>
    /// The buckets in name order, paged as S3 pages them (<c>max-buckets</c>, an opaque
    /// <c>continuation-token</c>), filtered by <c>prefix</c> and <c>bucket-region</c>.
    /// </summary>
    public async Task ListBuckets(S3Request r)
    {
        var query = r.Request.Query;
        var prefix = ListingQuery.Value(query, "prefix") ?? "";
        var region = ListingQuery.Value(query, "bucket-region");
        var paged = query.ContainsKey("max-buckets");
        var maxBuckets = paged ? QueryNumber(r, "max-buckets", MaxBucketsPage) : MaxBucketsPage;
        if (maxBuckets is < 1 or > MaxBucketsPage)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Argument max-buckets must be an integer between 1 and 10000"))
                .With("ArgumentName", "max-buckets").With("ArgumentValue", query["max-buckets"].ToString());
        var after = ListingQuery.Value(query, "continuation-token") is { Length: > 0 } token ? ListingQuery.DecodeToken(token) : null;

        var buckets = (await store.ListBucketsAsync(r.Aborted))
            .Where(b => b.Name.StartsWith(prefix, StringComparison.Ordinal) && (region is null || region == settings.Region))
            .Where(b => after is null || string.CompareOrdinal(b.Name, after) > 0)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var shown = new List<Storage.BucketInfo>(buckets.Count);
        foreach (var bucket in buckets)
            if (await authorizer.ShowsBucketAsync(r.User, bucket.Name, r.Aborted)) shown.Add(bucket);
        buckets = shown;
        var page = buckets.Take(maxBuckets).ToList();
        var next = buckets.Count > page.Count ? ListingQuery.EncodeToken(page[^1].Name) : null;
        await S3XmlResponse.WriteAsync(r.Response, "ListAllMyBucketsResult", async xml =>
        {
            if (r.User is { } caller) await xml.OwnerAsync(caller.CanonicalId, caller.DisplayName);
            else await xml.OwnerAsync();
            await xml.WriteStartElementAsync(null, "Buckets", null);
            foreach (var bucket in page)
            {
                await xml.WriteStartElementAsync(null, "Bucket", null);
                await xml.ElementAsync("Name", bucket.Name);
                await xml.ElementAsync("CreationDate", bucket.CreationDate);
                await xml.ElementAsync("BucketRegion", settings.Region);
                await xml.WriteEndElementAsync();
            }
            await xml.WriteEndElementAsync();
            await xml.OptionalElementAsync("ContinuationToken", next);
            if (prefix.Length > 0) await xml.ElementAsync("Prefix", prefix);
        });
    }

    /// <summary>S3's largest ListBuckets page (and the default: every bucket an account can have).</summary>
    private const int MaxBucketsPage = 10_000;

    /// <summary>The region clients must sign for; S3 leaves LocationConstraint empty for us-east-1.</summary>
    public async Task GetBucketLocation(S3Request r)
    {
        await RequireBucket(r);
        var constraint = settings.Region == "us-east-1" ? "" : settings.Region;
        await S3XmlResponse.WriteTextAsync(r.Response, "LocationConstraint", constraint);
    }

    public async Task HeadBucket(S3Request r)
    {
        await RequireBucket(r);
        r.Response.Headers["x-amz-bucket-region"] = settings.Region;
        r.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// Creates the bucket, owned by its creator (with its ACL and ObjectOwnership control, one
    /// record: <see cref="Acl.BucketAcls"/>). A CreateBucketConfiguration body (its
    /// LocationConstraint) is accepted and ignored: this server has one region. Creating a bucket
    /// another user owns is BucketAlreadyExists, as S3's one namespace has it. Creating one of one's
    /// own: outside us-east-1 BucketAlreadyOwnedByYou, as S3; in us-east-1 S3 answers 200 and resets
    /// the bucket's ACL to the request's, and here a request that asks for the ACL the bucket has is
    /// that 200 (a retry, `aws s3 mb` run twice, nothing changes), while one that would change it is
    /// refused with BucketAlreadyExists (what s3-tests expects; an ACL is changed with PutBucketAcl,
    /// never as a side effect of a create that a client thought was a no-op).
    /// </summary>
    public async Task CreateBucket(S3Request r)
    {
        var bucket = r.Bucket;
        if (!BucketNames.IsValidForCreate(bucket)) throw BucketNames.Invalid(bucket);
        var acl = NewBucketAcl(r); // refused before anything is created
        var objectLock = AsksObjectLock(r);
        var created = false;
        try
        {
            await store.CreateBucketAsync(bucket, objectLock, r.Aborted);
            created = true;
            // A crash before this leaves the bucket the root's (private), never another user's.
            if (acl.ToText(S3Owner.Id) is not null) await bucketAcls.SetAsync(bucket, acl, r.Aborted);
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketExists)
        {
            bucketAcls.Forget(bucket);
            var current = await bucketAcls.GetAsync(bucket, r.Aborted);
            if (current.Owner != acl.Owner) throw new S3Exception(S3Error.BucketAlreadyExists, bucket).With("BucketName", bucket);
            if (settings.Region != "us-east-1") throw;
            if (!current.SameGrantsAs(acl)) throw new S3Exception(S3Error.BucketAlreadyExists, bucket).With("BucketName", bucket);
        }
        bucketPolicies.Forget(bucket); // a policy remembered as absent before the bucket existed
        // …or a lock: a bucket made here without one has none, so its first writes need not ask
        // (an S3 local store answers that question with a request of its own).
        if (created && !objectLock) _objectLocks.Remember(bucket, null);
        else _objectLocks.Forget(bucket);
        r.Response.Headers.Location = "/" + bucket;
        r.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async Task DeleteBucket(S3Request r)
    {
        await store.DeleteBucketAsync(r.Bucket, r.Aborted);
        corsRules.Forget(r.Bucket); // a bucket made again under the name starts without rules
        bucketPolicies.Forget(r.Bucket); // …and without a policy
        lifecycles.Set(r.Bucket, null); // …or lifecycle rules
        _objectLocks.Forget(r.Bucket); // …or Object Lock
        bucketAcls.Forget(r.Bucket); // …and belongs to whoever makes it
        publicAccessBlocks.Forget(r.Bucket); // …with no public access block
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task RequireBucket(S3Request r)
    {
        if (await store.GetBucketAsync(r.Bucket, r.Aborted) is null) throw S3Exception.NoSuchBucket(r.Bucket);
    }
}

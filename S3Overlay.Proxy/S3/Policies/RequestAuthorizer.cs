using System.Collections.Frozen;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Policies;

/// <summary>
/// The one place a request is allowed or refused, after its signature is verified, as S3 decides:
/// the root key may do everything; anyone else is refused by an explicit Deny in their policy or
/// the bucket's, and otherwise allowed when their policy, the bucket's policy, or an ACL grant
/// allows. A user's own policy reaches the buckets it owns and the root's (every bucket made
/// before buckets had owners, shared as before); in a bucket another user owns, only that owner's
/// grants count (its bucket policy and ACLs), as an S3 account's bucket is closed to other
/// accounts until its owner opens it. The anonymous caller has no policy of its own. Buckets of
/// <c>S3_OVERLAY_PUBLIC_BUCKETS</c> carry MinIO's <c>download</c> policy besides their own. Before
/// all of that, a configured bucket's flags (read-only, key-only) refuse what they refuse to anyone.
/// </summary>
internal sealed class RequestAuthorizer(AuthSettings auth, BucketPolicies bucketPolicies, AclAccess acls, BucketAcls bucketAcls,
    BucketPublicAccessBlocks publicAccessBlocks, Buckets.BucketTargets targets, Storage.IObjectStore store)
{
    private readonly FrozenDictionary<string, PolicyDocument> _publicBuckets = auth.PublicBuckets
        .ToFrozenDictionary(b => b, b => PolicyDocument.ForBucket(CannedPolicies.ForBucket("download", b)!, b), StringComparer.Ordinal);

    private readonly ExistingObjectTags _existingTags = new(store);

    private static readonly FrozenSet<string> ObjectCreations = new[] { "PutObject", "CopyObject", "CreateMultipartUpload" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Refuses the request (AccessDenied) unless its caller may do its operation. Per-key operations are judged per key by their handlers.</summary>
    public async ValueTask AuthorizeAsync(S3Request r)
    {
        var operation = r.Operation;
        var bucket = r.Address.Bucket;
        var action = S3Actions.ByOperation[operation];
        if (r.Address.Key is not null && r.Request.Query.ContainsKey("versionId")) action = S3Actions.OfVersion(action);
        if (targets.Refuses(action, bucket)) throw Denied();
        if (r.User?.IsRoot == true) return;
        var key = r.Address.Key;
        var verdict = await DecideAsync(r, action, bucket, key);
        if (verdict == PolicyVerdict.Deny) throw Denied();
        if (operation == "ListBuckets" && r.User is not null) return; // a signed caller is shown the buckets it may do something in
        if (S3Actions.PerKey.Contains(operation) && verdict == PolicyVerdict.None)
        {
            // The keys are in the body: let in a caller some policy may allow something in the bucket, and judge each key.
            if (r.User?.Policy.MayAllowIn(bucket!, r.User.AccessKey) == true || (await BucketPolicyAsync(bucket!, r.Aborted))?.MayAllowIn(bucket!, r.User?.AccessKey) == true) return;
        }
        // No ACL grants creating a bucket (and one that does not exist yet is no one's NoSuchBucket).
        if (verdict == PolicyVerdict.None && operation == "CreateBucket") throw Denied();
        if (verdict == PolicyVerdict.None && !await acls.AllowsAsync(AclAccess.NeedOf(operation), bucket, key, r.User, r.Aborted)) throw Denied();

        // Setting an ACL or tags while creating asks for those rights too, as on S3: the writer's
        // own, since what it creates is its own, even in a bucket another user owns.
        if (ObjectCreations.Contains(operation) || operation == "CreateBucket")
        {
            if (AccessControlList.Requested(r.Request))
                await RequireAsync(r, operation == "CreateBucket" ? S3Actions.PutBucketAcl : S3Actions.PutObjectAcl, bucket, key);
            if (operation != "CreateBucket" && r.Request.Headers.ContainsKey("x-amz-tagging"))
                await RequireAsync(r, S3Actions.PutObjectTagging, bucket, key);
        }
    }

    /// <summary>Whether the caller may do <paramref name="action"/> on the bucket or key (a copy's source, one key of DeleteObjects, a form's key).</summary>
    public async ValueTask<bool> AllowsAsync(S3Request r, string action, string bucket, string? key, AclNeed aclNeed)
    {
        if (targets.Refuses(action, bucket)) return false;
        if (r.User?.IsRoot == true) return true;
        return await DecideAsync(r, action, bucket, key) switch
        {
            PolicyVerdict.Allow => true,
            PolicyVerdict.Deny => false,
            _ => await acls.AllowsAsync(aclNeed, bucket, key, r.User, r.Aborted),
        };
    }

    /// <summary>
    /// Whether ListBuckets shows the caller this bucket: the root every bucket; a user the buckets it
    /// owns, as S3 shows an account its own, and those of the root's that some policy may allow it
    /// something in, as MinIO shows a limited user.
    /// </summary>
    public async ValueTask<bool> ShowsBucketAsync(S3User? user, string bucket, CancellationToken ct)
    {
        if (user is null) return false;
        if (user.IsRoot) return true;
        var owner = await bucketAcls.OwnerOrNullAsync(bucket, ct);
        if (owner == user.CanonicalId) return true;
        return owner == S3Owner.Id
            && (user.Policy.MayAllowIn(bucket, user.AccessKey) || (await BucketPolicyAsync(bucket, ct))?.MayAllowIn(bucket, user.AccessKey) == true);
    }

    /// <summary>Whether a missing key may be told as NoSuchKey: to those who may list the bucket; others learn only AccessDenied, as on S3.</summary>
    public async ValueTask<bool> TellsMissingKeysAsync(S3Request r) =>
        !targets.Refuses(S3Actions.ListBucket, r.Bucket)
        && (r.User?.IsRoot == true || await DecideAsync(r, S3Actions.ListBucket, r.Bucket, null) == PolicyVerdict.Allow
            || await acls.AllowsAsync(AclNeed.BucketRead, r.Bucket, null, r.User, r.Aborted));

    private async ValueTask RequireAsync(S3Request r, string action, string? bucket, string? key)
    {
        if (await DecideAsync(r.User, action, bucket, key, r.ConditionKeys, r.Aborted, anyOwner: true) != PolicyVerdict.Allow) throw Denied();
    }

    private ValueTask<PolicyVerdict> DecideAsync(S3Request r, string action, string? bucket, string? key) =>
        DecideAsync(r.User, action, bucket, key, r.ConditionKeys, r.Aborted);

    /// <summary>
    /// What the policies say (Allow for the root): Deny if any denies; else Allow if any allows;
    /// else None (ACLs may still allow). The user's own policy allows only in buckets it reaches
    /// (<see cref="ReachesAsync"/>), or wherever <paramref name="anyOwner"/> (what it creates is its
    /// own). The web browser asks this of what it shows a visitor.
    /// </summary>
    public async ValueTask<PolicyVerdict> DecideAsync(S3User? caller, string action, string? bucket, string? key, ConditionKeys keys, CancellationToken ct,
        bool anyOwner = false)
    {
        if (targets.Refuses(action, bucket)) return PolicyVerdict.Deny;
        if (caller?.IsRoot == true) return PolicyVerdict.Allow;
        var query = new AccessQuery(action, bucket is null ? "" : key is null ? bucket : bucket + "/" + key, caller?.AccessKey, keys);
        var bucketPolicy = bucket is null ? null : await BucketPolicyAsync(bucket, ct);
        if (key is not null && (caller?.Policy.NamesExistingObjectTags == true || bucketPolicy?.NamesExistingObjectTags == true))
            query = query with { ExistingTags = await _existingTags.ReadAsync(bucket!, key, keys, ct) };
        var user = caller?.Policy.Evaluate(query) ?? PolicyVerdict.None;
        if (user == PolicyVerdict.Deny || bucket is null) return user;
        var own = bucketPolicy?.Evaluate(query) ?? PolicyVerdict.None;
        if (own == PolicyVerdict.Deny) return own;
        // RestrictPublicBuckets: a policy that lets everyone in lets in only the bucket's owner.
        if (own == PolicyVerdict.Allow && bucketPolicy!.IsPublic && (await publicAccessBlocks.GetAsync(bucket, ct)).RestrictPublicBuckets
            && (caller is null || await bucketAcls.OwnerOrNullAsync(bucket, ct) != caller.CanonicalId))
            own = PolicyVerdict.None;
        // A bucket's name is everyone's to ask for: CreateBucket tells a taken one as S3 does.
        if (user == PolicyVerdict.Allow && !anyOwner && action != "s3:CreateBucket" && !await ReachesAsync(caller!, bucket, ct)) user = PolicyVerdict.None;
        var published = _publicBuckets.GetValueOrDefault(bucket)?.Evaluate(query) ?? PolicyVerdict.None;
        return user == PolicyVerdict.Allow || own == PolicyVerdict.Allow ? PolicyVerdict.Allow : published;
    }

    /// <summary>Whether a user's own policy reaches into the bucket: one it owns, the root's, or one that does not exist.</summary>
    private async ValueTask<bool> ReachesAsync(S3User caller, string bucket, CancellationToken ct) =>
        await bucketAcls.OwnerOrNullAsync(bucket, ct) is not { } owner || owner == S3Owner.Id || owner == caller.CanonicalId;

    /// <summary>Checks <c>x-amz-expected-bucket-owner</c> (and the copy source's) against the buckets' owners.</summary>
    public ValueTask CheckExpectedOwnersAsync(S3Request r) => ExpectedBucketOwner.CheckAsync(r, bucketAcls);

    /// <summary>The bucket's policy; none for a bucket that does not exist (CreateBucket; the handler tells NoSuchBucket).</summary>
    private async ValueTask<PolicyDocument?> BucketPolicyAsync(string bucket, CancellationToken ct)
    {
        try
        {
            return await bucketPolicies.OfAsync(bucket, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
        {
            return null;
        }
    }

    private static S3Exception Denied() => new(S3Error.AccessDenied);
}

using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.ObjectLock;

/// <summary>
/// What a version's lock forbids. Every store that keeps locks itself asks these under the key's
/// lock, so a check and the change it allows are one step; the lifecycle scanner asks
/// <see cref="Blocks"/> before it expires a version.
/// </summary>
internal static class ObjectLockRules
{
    /// <summary>Whether the version may not be removed at <paramref name="now"/> (by anyone, a GOVERNANCE bypass aside).</summary>
    public static bool Blocks(ObjectMetadata version, DateTimeOffset now) =>
        version.LegalHold || version.Retention is { } retention && retention.ActiveAt(now);

    /// <summary>
    /// Refuses (access denied, 403 as S3) removing a version under a legal hold or a retention not
    /// yet past; GOVERNANCE yields to <paramref name="bypassGovernance"/>, COMPLIANCE to nothing.
    /// </summary>
    public static void CheckDelete(ObjectMetadata version, DateTimeOffset now, bool bypassGovernance)
    {
        if (version.LegalHold) throw Denied("Object is under a legal hold and cannot be deleted.");
        if (version.Retention is { } retention && retention.ActiveAt(now) && (retention.IsCompliance || !bypassGovernance))
            throw Denied($"Object is protected by {retention.Mode} retention until {retention.RetainUntilText}.");
    }

    /// <summary>
    /// Refuses weakening a retention that still holds: removing it, an earlier date, or another
    /// mode. Lengthening (same mode, same or later date) is always allowed. GOVERNANCE yields to
    /// <paramref name="bypassGovernance"/>; COMPLIANCE to no one. A changed mode needs the bypass
    /// even towards COMPLIANCE, as RGW answers (ceph/s3-tests' test_object_lock_changing_mode_*).
    /// </summary>
    public static void CheckRetentionChange(ObjectRetention? current, ObjectRetention? wanted, DateTimeOffset now, bool bypassGovernance)
    {
        if (current is null || !current.ActiveAt(now)) return;
        var weakens = wanted is null || wanted.Mode != current.Mode || wanted.RetainUntil < current.RetainUntil;
        if (!weakens) return;
        if (current.IsCompliance || !bypassGovernance)
            throw Denied($"The version's {current.Mode} retention until {current.RetainUntilText} cannot be shortened or changed.");
    }

    /// <summary>A retention a write asks for must end in the future, as S3 requires.</summary>
    public static void CheckNew(ObjectRetention retention, DateTimeOffset now)
    {
        if (!retention.ActiveAt(now))
            throw new StorageException(StorageFault.InvalidArgument, message: "The retain until date must be in the future!");
    }

    /// <summary>A request with lock parameters in a bucket that has no Object Lock: 400 (InvalidRequest), as S3.</summary>
    public static StorageException NotALockBucket() =>
        new(StorageFault.InvalidRequest, message: "Bucket is missing Object Lock Configuration");

    private static StorageException Denied(string message) => new(StorageFault.AccessDenied, message: message);
}

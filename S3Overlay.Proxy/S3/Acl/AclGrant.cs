namespace S3Overlay.S3.Acl;

/// <summary>
/// Who a grant is for: the resource's owner (whoever that is), one of S3's two groups, or another
/// user, named by its canonical id.
/// </summary>
internal enum AclGrantee { Owner, AllUsers, AuthenticatedUsers, User }

/// <param name="Id">The canonical id of a <see cref="AclGrantee.User"/> grant; null for the others.</param>
internal sealed record AclGrant(AclGrantee Grantee, string Permission, string? Id = null)
{
    /// <summary>The stored form: <c>Owner:READ</c>, <c>AllUsers:READ</c>, <c>id=…:READ</c>.</summary>
    public override string ToString() => (Grantee == AclGrantee.User ? "id=" + Id : Grantee.ToString()) + ":" + Permission;

    public static AclGrant Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var (grantee, permission) = (text[..colon], text[(colon + 1)..]);
        return grantee.StartsWith("id=", StringComparison.Ordinal)
            ? new AclGrant(AclGrantee.User, permission, grantee[3..])
            : new AclGrant(Enum.Parse<AclGrantee>(grantee), permission);
    }
}

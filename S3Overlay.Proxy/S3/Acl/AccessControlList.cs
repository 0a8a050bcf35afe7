using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Acl;

/// <summary>
/// A bucket's or object's owner and ACL as S3 takes it (a canned <c>x-amz-acl</c>,
/// <c>x-amz-grant-*</c> headers, an <c>AccessControlPolicy</c> document) and gives it back; a
/// bucket's also carries its ObjectOwnership control. Stored as short text:
/// <c>by=OWNER;objects=CONTROL;GRANT,GRANT</c>, where the owner is left out when it is the default
/// one (the root's for a bucket, the bucket owner's for an object), the control when the bucket
/// has none, and null text is "private, default owner", so what was stored before owners is read
/// unchanged; a grant list <see cref="NoGrantsText"/> is an ACL that revoked every grant.
/// </summary>
internal sealed class AccessControlList
{
    public const string AllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsersUri = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
    private static readonly string[] Permissions = ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"];
    private static readonly AclGrant OwnerFull = new(AclGrantee.Owner, "FULL_CONTROL");

    /// <summary>The stored form of an ACL without grants: a word, not empty text, which some S3 servers drop from metadata.</summary>
    private const string NoGrantsText = "none";

    /// <summary>In the order S3 and RGW list the grants they give (clients that compare grant lists of one grantee compare them in order).</summary>
    private static readonly (string Header, string Permission)[] GrantHeaders =
    [
        ("x-amz-grant-read", "READ"),
        ("x-amz-grant-write", "WRITE"),
        ("x-amz-grant-read-acp", "READ_ACP"),
        ("x-amz-grant-write-acp", "WRITE_ACP"),
        ("x-amz-grant-full-control", "FULL_CONTROL"),
    ];

    private AccessControlList(string owner, IReadOnlyList<AclGrant> grants, string? objectOwnership = null) =>
        (Owner, Grants, ObjectOwnership) = (owner, grants, objectOwnership);

    /// <summary>The owner's canonical id.</summary>
    public string Owner { get; }

    public IReadOnlyList<AclGrant> Grants { get; }

    /// <summary>A bucket's ObjectOwnership control (<see cref="Acl.ObjectOwnership"/>); null when it has none.</summary>
    public string? ObjectOwnership { get; }

    /// <summary>Whether ACL grants count for this bucket: not when its control is BucketOwnerEnforced.</summary>
    public bool AclsEnabled => ObjectOwnership != Acl.ObjectOwnership.BucketOwnerEnforced;

    public static AccessControlList Private(string owner) => new(owner, [OwnerFull]);

    public AccessControlList WithGrantsOf(AccessControlList other) => new(Owner, other.Grants, ObjectOwnership);

    public AccessControlList WithObjectOwnership(string? control) => new(Owner, Grants, control);

    /// <summary>Whether the ACL names no one but the owner (what BucketOwnerEnforced requires of a bucket's).</summary>
    public bool OnlyOwner => Grants.All(g => g.Grantee == AclGrantee.Owner);

    public bool IsOwner(S3User? caller) => caller?.CanonicalId == Owner;

    /// <summary>Whether it grants one of S3's groups anything: what S3 calls a public ACL.</summary>
    public bool IsPublic => Grants.Any(g => g.Grantee is AclGrantee.AllUsers or AclGrantee.AuthenticatedUsers);

    /// <summary>The ACL without its groups' grants: what counts under IgnorePublicAcls.</summary>
    public AccessControlList WithoutPublicGrants() =>
        IsPublic ? new(Owner, Grants.Where(g => g.Grantee is not (AclGrantee.AllUsers or AclGrantee.AuthenticatedUsers)).ToList(), ObjectOwnership) : this;

    /// <summary>
    /// Whether a grant gives the caller <paramref name="permission"/>: a grant to the owner when the
    /// caller is it, to the caller's canonical id, to AllUsers for anyone, to AuthenticatedUsers
    /// for a signed caller. FULL_CONTROL holds every permission.
    /// </summary>
    public bool Allows(string permission, S3User? caller) =>
        Grants.Any(g => (g.Permission == permission || g.Permission == "FULL_CONTROL") && g.Grantee switch
        {
            AclGrantee.AllUsers => true,
            AclGrantee.AuthenticatedUsers => caller is not null,
            AclGrantee.Owner => caller?.CanonicalId == Owner,
            _ => caller is not null && caller.CanonicalId == g.Id,
        });

    public static AccessControlList Parse(string? text, string defaultOwner)
    {
        if (text is null) return Private(defaultOwner);
        var (owner, control) = (defaultOwner, (string?)null);
        var fields = text.Split(';');
        foreach (var field in fields[..^1])
        {
            if (field.StartsWith("by=", StringComparison.Ordinal)) owner = field[3..];
            else if (field.StartsWith("objects=", StringComparison.Ordinal)) control = field[8..];
        }
        var grants = fields[^1] is NoGrantsText ? [] : fields[^1].Split(',').Select(AclGrant.Parse).ToList();
        return new(owner, grants, control);
    }

    /// <summary>The owner a stored form names; null when it is the default owner's (cheaper than <see cref="Parse"/>, for listings).</summary>
    public static string? OwnerNamedIn(string? text) =>
        text is not null && text.StartsWith("by=", StringComparison.Ordinal) && text.IndexOf(';') is > 3 and var end ? text[3..end] : null;

    /// <returns>The stored form; null for a private ACL of the default owner without a control.</returns>
    public string? ToText(string defaultOwner)
    {
        var grants = Grants switch
        {
            [] => NoGrantsText,
            _ => string.Join(",", Grants),
        };
        if (Owner == defaultOwner && ObjectOwnership is null && Grants is [var only] && only == OwnerFull) return null;
        return (Owner == defaultOwner ? "" : "by=" + Owner + ";") + (ObjectOwnership is null ? "" : "objects=" + ObjectOwnership + ";") + grants;
    }

    /// <summary>Whether both grant the same (grant order carries no meaning).</summary>
    public bool SameGrantsAs(AccessControlList other) => Grants.ToHashSet().SetEquals(other.Grants);

    /// <summary>
    /// The ACL a request's headers give (canned or grants) to a resource of <paramref name="owner"/>
    /// in a bucket of <paramref name="bucketOwner"/>; null when they give none.
    /// </summary>
    public static AccessControlList? FromHeaders(HttpRequest request, string owner, string bucketOwner, UserDirectory users)
    {
        var canned = request.Headers["x-amz-acl"].ToString();
        var granted = GrantHeaders.Where(h => request.Headers.ContainsKey(h.Header)).ToList();
        if (canned.Length > 0 && granted.Count > 0)
            throw new S3Exception(S3Error.InvalidRequest.WithMessage("Specifying both Canned ACLs and Header Grants is not allowed"));
        if (canned.Length > 0) return Canned(canned, owner, bucketOwner);
        if (granted.Count == 0) return null;
        var grants = new List<AclGrant>();
        foreach (var (header, permission) in granted)
            foreach (var grantee in request.Headers[header].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = grantee.IndexOf('=');
                if (eq < 0) throw InvalidArgument(header, "Invalid grant header.");
                grants.Add(Grant(grantee[..eq].Trim(), grantee[(eq + 1)..].Trim().Trim('"'), permission, owner, users, header));
            }
        return new(owner, grants.Distinct().ToList());
    }

    /// <summary>Whether the request's headers ask for an ACL (canned or grants).</summary>
    public static bool Requested(HttpRequest request) =>
        request.Headers.ContainsKey("x-amz-acl") || GrantHeaders.Any(h => request.Headers.ContainsKey(h.Header));

    /// <summary>The canned ACLs S3 defines; the bucket-owner ones grant the bucket's owner, when that is someone else.</summary>
    private static AccessControlList Canned(string name, string owner, string bucketOwner) => name switch
    {
        "private" => Private(owner),
        "bucket-owner-read" or "bucket-owner-full-control" when bucketOwner == owner => Private(owner),
        "bucket-owner-read" => new(owner, [OwnerFull, new(AclGrantee.User, "READ", bucketOwner)]),
        "bucket-owner-full-control" => new(owner, [OwnerFull, new(AclGrantee.User, "FULL_CONTROL", bucketOwner)]),
        "public-read" => new(owner, [OwnerFull, new(AclGrantee.AllUsers, "READ")]),
        "public-read-write" => new(owner, [OwnerFull, new(AclGrantee.AllUsers, "READ"), new(AclGrantee.AllUsers, "WRITE")]),
        "authenticated-read" => new(owner, [OwnerFull, new(AclGrantee.AuthenticatedUsers, "READ")]),
        _ => throw InvalidArgument("x-amz-acl", "Invalid canned ACL."),
    };

    /// <summary>An <c>AccessControlPolicy</c> document (PutBucketAcl / PutObjectAcl with a body); the owner stays the resource's.</summary>
    public static AccessControlList FromXml(XElement policy, string owner, UserDirectory users)
    {
        var list = policy.Name.LocalName == "AccessControlPolicy" ? policy.Children("AccessControlList").SingleOrDefault() : null;
        if (list is null) throw new S3Exception(S3Error.MalformedACLError);
        var grants = new List<AclGrant>();
        foreach (var grant in list.Children("Grant"))
        {
            var grantee = grant.Children("Grantee").SingleOrDefault() ?? throw new S3Exception(S3Error.MalformedACLError);
            var permission = grant.ChildText("Permission");
            if (permission is null || !Permissions.Contains(permission)) throw new S3Exception(S3Error.MalformedACLError);
            var type = grantee.Attribute(XName.Get("type", XsiNamespace))?.Value;
            var (kind, value) = type switch
            {
                "CanonicalUser" => ("id", grantee.ChildText("ID")),
                "Group" => ("uri", grantee.ChildText("URI")),
                "AmazonCustomerByEmail" => ("emailAddress", grantee.ChildText("EmailAddress")),
                _ => (null, null),
            };
            if (kind is null || value is null) throw new S3Exception(S3Error.MalformedACLError);
            grants.Add(Grant(kind, value, permission, owner, users, null));
        }
        return new(owner, grants.Distinct().ToList());
    }

    /// <summary>
    /// A grant to a user this server knows (by canonical id or e-mail address, which S3 turns into
    /// the id) or to one of S3's two groups; a grant naming the owner is the owner's grant.
    /// </summary>
    private static AclGrant Grant(string kind, string value, string permission, string owner, UserDirectory users, string? header)
    {
        var id = kind switch
        {
            "id" when value == S3Owner.Id || users.FindById(value) is not null => value,
            "id" => throw InvalidArgument(header, "Invalid id"),
            "emailAddress" => users.FindByEmail(value)?.CanonicalId ?? throw new S3Exception(S3Error.UnresolvableGrantByEmailAddress),
            "uri" when value == AllUsersUri => null,
            "uri" when value == AuthenticatedUsersUri => null,
            "uri" => throw InvalidArgument(header, "Invalid group uri"),
            _ => throw InvalidArgument(header, "Invalid grant header."),
        };
        if (id is null) return new AclGrant(value == AllUsersUri ? AclGrantee.AllUsers : AclGrantee.AuthenticatedUsers, permission);
        return id == owner ? new AclGrant(AclGrantee.Owner, permission) : new AclGrant(AclGrantee.User, permission, id);
    }

    private static S3Exception InvalidArgument(string? header, string message)
    {
        var e = new S3Exception(S3Error.InvalidArgument.WithMessage(message));
        return header is null ? e : e.With("ArgumentName", header);
    }

    /// <summary>
    /// The <c>AccessControlPolicy</c> answer of GetBucketAcl / GetObjectAcl. The groups' grants come
    /// before the users' (S3 lists the owner's first; the order means nothing): clients that
    /// compare grant lists sort them by DisplayName when the first grant has one (s3-tests'
    /// check_grants), and a group has none, so a list that starts with a user and holds a group
    /// fails to sort.
    /// </summary>
    public Task WriteXmlAsync(HttpResponse response, UserDirectory users) =>
        S3XmlResponse.WriteAsync(response, "AccessControlPolicy", async xml =>
        {
            await xml.OwnerAsync(Owner, users.DisplayNameOf(Owner));
            await xml.WriteStartElementAsync(null, "AccessControlList", null);
            foreach (var grant in Grants.OrderBy(g => g.Grantee is AclGrantee.Owner or AclGrantee.User))
            {
                await xml.WriteStartElementAsync(null, "Grant", null);
                await xml.WriteStartElementAsync(null, "Grantee", null);
                await xml.WriteAttributeStringAsync("xmlns", "xsi", null, XsiNamespace);
                var id = grant.Grantee switch { AclGrantee.Owner => Owner, AclGrantee.User => grant.Id, _ => null };
                await xml.WriteAttributeStringAsync("xsi", "type", XsiNamespace, id is null ? "Group" : "CanonicalUser");
                if (id is not null)
                {
                    await xml.ElementAsync("ID", id);
                    await xml.OptionalElementAsync("DisplayName", users.DisplayNameOf(id));
                }
                else
                {
                    await xml.ElementAsync("URI", grant.Grantee == AclGrantee.AllUsers ? AllUsersUri : AuthenticatedUsersUri);
                }
                await xml.WriteEndElementAsync();
                await xml.ElementAsync("Permission", grant.Permission);
                await xml.WriteEndElementAsync();
            }
            await xml.WriteEndElementAsync();
        });
}

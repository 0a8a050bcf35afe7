using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Acl;

/// <summary>Who a grant is for. There is one account here (the owner); the groups are S3's.</summary>
public enum AclGrantee { Owner, AllUsers, AuthenticatedUsers }

public sealed record AclGrant(AclGrantee Grantee, string Permission);

/// <summary>
/// A bucket's or object's ACL as S3 takes it (a canned <c>x-amz-acl</c>, <c>x-amz-grant-*</c>
/// headers, an <c>AccessControlPolicy</c> document) and gives it back. Stored as short text
/// (<c>AllUsers:READ,Owner:FULL_CONTROL</c>); null text is private, <see cref="NoGrantsText"/> an
/// ACL that revoked every grant.
/// </summary>
public sealed class AccessControlList
{
    public const string AllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsersUri = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
    private static readonly string[] Permissions = ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"];
    private static readonly AclGrant OwnerFull = new(AclGrantee.Owner, "FULL_CONTROL");

    /// <summary>The stored form of an ACL without grants: a word, not empty text, which some S3 servers drop from metadata.</summary>
    private const string NoGrantsText = "none";

    private static readonly Dictionary<string, string> GrantHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["x-amz-grant-full-control"] = "FULL_CONTROL",
        ["x-amz-grant-read"] = "READ",
        ["x-amz-grant-write"] = "WRITE",
        ["x-amz-grant-read-acp"] = "READ_ACP",
        ["x-amz-grant-write-acp"] = "WRITE_ACP",
    };

    public static readonly AccessControlList Private = new([OwnerFull]);

    private AccessControlList(IReadOnlyList<AclGrant> grants) => Grants = grants;

    public IReadOnlyList<AclGrant> Grants { get; }

    /// <summary>
    /// Whether the caller holds <paramref name="permission"/> through a group grant: AllUsers for
    /// anyone, AuthenticatedUsers too for a signed caller. The owner's grant is the account's, which
    /// a user's policy stands for here, as an IAM user's does on S3.
    /// </summary>
    public bool AllowsGroup(string permission, bool signed) =>
        Grants.Any(g => (g.Grantee == AclGrantee.AllUsers || (signed && g.Grantee == AclGrantee.AuthenticatedUsers))
            && (g.Permission == permission || g.Permission == "FULL_CONTROL"));

    public static AccessControlList Parse(string? text) => text switch
    {
        null => Private,
        NoGrantsText => new([]),
        _ => new(text.Split(',').Select(g => g.Split(':')).Select(p => new AclGrant(Enum.Parse<AclGrantee>(p[0]), p[1])).ToList()),
    };

    /// <returns>The stored form; null for private.</returns>
    public string? ToText() => Grants switch
    {
        [] => NoGrantsText,
        [var only] when only == OwnerFull => null,
        _ => string.Join(",", Grants.Select(g => $"{g.Grantee}:{g.Permission}")),
    };

    /// <summary>Whether both grant the same (grant order carries no meaning).</summary>
    public bool SameGrantsAs(AccessControlList other) => Grants.ToHashSet().SetEquals(other.Grants);

    /// <summary>The ACL a request's headers give (canned or grants); null when they give none.</summary>
    public static AccessControlList? FromHeaders(HttpRequest request)
    {
        var canned = request.Headers["x-amz-acl"].ToString();
        var granted = GrantHeaders.Where(h => request.Headers.ContainsKey(h.Key)).ToList();
        if (canned.Length > 0 && granted.Count > 0)
            throw new S3Exception(S3Error.InvalidRequest.WithMessage("Specifying both Canned ACLs and Header Grants is not allowed"));
        if (canned.Length > 0) return Canned(canned);
        if (granted.Count == 0) return null;
        var grants = new List<AclGrant>();
        foreach (var (header, permission) in granted)
            foreach (var grantee in request.Headers[header].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = grantee.IndexOf('=');
                if (eq < 0) throw InvalidArgument(header, "Invalid grant header.");
                grants.Add(new AclGrant(Grantee(grantee[..eq].Trim(), grantee[(eq + 1)..].Trim().Trim('"'), header), permission));
            }
        return new(grants.Distinct().ToList());
    }

    private static AccessControlList Canned(string name) => name switch
    {
        "private" or "bucket-owner-read" or "bucket-owner-full-control" => Private,
        "public-read" => new([OwnerFull, new(AclGrantee.AllUsers, "READ")]),
        "public-read-write" => new([OwnerFull, new(AclGrantee.AllUsers, "READ"), new(AclGrantee.AllUsers, "WRITE")]),
        "authenticated-read" => new([OwnerFull, new(AclGrantee.AuthenticatedUsers, "READ")]),
        _ => throw InvalidArgument("x-amz-acl", "Invalid canned ACL."),
    };

    /// <summary>An <c>AccessControlPolicy</c> document (PutBucketAcl / PutObjectAcl with a body).</summary>
    public static AccessControlList FromXml(XElement policy)
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
            grants.Add(new AclGrant(Grantee(kind, value, null), permission));
        }
        return new(grants.Distinct().ToList());
    }

    /// <summary>Only this server's one account and S3's two groups can be granted anything.</summary>
    private static AclGrantee Grantee(string kind, string value, string? header) => kind switch
    {
        "id" when value == S3Owner.Id => AclGrantee.Owner,
        "id" => throw InvalidArgument(header, "Invalid id"),
        "uri" when value == AllUsersUri => AclGrantee.AllUsers,
        "uri" when value == AuthenticatedUsersUri => AclGrantee.AuthenticatedUsers,
        "uri" => throw InvalidArgument(header, "Invalid group uri"),
        "emailAddress" => throw new S3Exception(S3Error.UnresolvableGrantByEmailAddress),
        _ => throw InvalidArgument(header, "Invalid grant header."),
    };

    private static S3Exception InvalidArgument(string? header, string message)
    {
        var e = new S3Exception(S3Error.InvalidArgument.WithMessage(message));
        return header is null ? e : e.With("ArgumentName", header);
    }

    /// <summary>
    /// The <c>AccessControlPolicy</c> answer of GetBucketAcl / GetObjectAcl. The groups' grants come
    /// before the owner's (S3 lists the owner's first; the order means nothing): clients that
    /// compare grant lists sort them by DisplayName when the first grant has one (s3-tests'
    /// check_grants), and a group has none, so a list that starts with the owner fails to sort.
    /// </summary>
    public Task WriteXmlAsync(HttpResponse response) =>
        S3XmlResponse.WriteAsync(response, "AccessControlPolicy", async xml =>
        {
            await xml.OwnerAsync();
            await xml.WriteStartElementAsync(null, "AccessControlList", null);
            foreach (var grant in Grants.OrderBy(g => g.Grantee == AclGrantee.Owner))
            {
                await xml.WriteStartElementAsync(null, "Grant", null);
                await xml.WriteStartElementAsync(null, "Grantee", null);
                await xml.WriteAttributeStringAsync("xmlns", "xsi", null, XsiNamespace);
                await xml.WriteAttributeStringAsync("xsi", "type", XsiNamespace, grant.Grantee == AclGrantee.Owner ? "CanonicalUser" : "Group");
                if (grant.Grantee == AclGrantee.Owner)
                {
                    await xml.ElementAsync("ID", S3Owner.Id);
                    await xml.ElementAsync("DisplayName", S3Owner.DisplayName);
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

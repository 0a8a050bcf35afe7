using S3Overlay.Tests.Infrastructure;
using S3Overlay.S3;
using S3Overlay.S3.Acl;

namespace S3Overlay.Tests.Acl;

/// <summary>The stored form of an owner and ACL: what was stored before owners reads as the root's, and every form reads back as written.</summary>
[UnitTests]
public sealed class AccessControlListTests
{
    private static readonly string Alice = S3Owner.IdOf("alice");

    [Fact]
    public void Text_stored_before_owners_reads_as_the_default_owners()
    {
        var acl = AccessControlList.Parse("AllUsers:READ,Owner:FULL_CONTROL", S3Owner.Id);
        Assert.Equal(S3Owner.Id, acl.Owner);
        Assert.True(acl.Allows("READ", null));
        Assert.False(acl.Allows("WRITE", null));
        Assert.Equal(S3Owner.Id, AccessControlList.Parse(null, S3Owner.Id).Owner);
        Assert.Empty(AccessControlList.Parse("none", S3Owner.Id).Grants);
    }

    [Fact]
    public void An_owner_a_control_and_user_grants_read_back_as_written()
    {
        var acl = AccessControlList.Parse($"by={Alice};objects=BucketOwnerPreferred;Owner:FULL_CONTROL,id={S3Owner.Id}:READ", S3Owner.Id);
        Assert.Equal(Alice, acl.Owner);
        Assert.Equal(ObjectOwnership.BucketOwnerPreferred, acl.ObjectOwnership);
        Assert.Contains(new AclGrant(AclGrantee.User, "READ", S3Owner.Id), acl.Grants);
        Assert.Equal($"by={Alice};objects=BucketOwnerPreferred;Owner:FULL_CONTROL,id={S3Owner.Id}:READ", acl.ToText(S3Owner.Id));
        // Private and the default owner's: nothing stored at all, as before.
        Assert.Null(AccessControlList.Private(Alice).ToText(Alice));
        Assert.Equal($"by={Alice};Owner:FULL_CONTROL", AccessControlList.Private(Alice).ToText(S3Owner.Id));
    }

    [Fact]
    public void Canonical_ids_are_64_hex_digits_derived_from_the_access_key()
    {
        Assert.Matches("^[0-9a-f]{64}$", Alice);
        Assert.Equal(Alice, S3Owner.IdOf("alice"));
        Assert.NotEqual(Alice, S3Owner.IdOf("bob"));
        // Fixed for good (docs/users.md gives the formula; conformance/s3-tests/conf.py computes it): owners stored with a bucket name it.
        Assert.Equal("03616a5b00ca9c8a8ad3e1c88781931dce31863838391639ced390d9a1b32022", Alice);
    }
}

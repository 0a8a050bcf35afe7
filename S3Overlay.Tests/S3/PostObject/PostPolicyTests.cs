using S3Overlay.S3.Errors;
using S3Overlay.S3.PostObject;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.PostObject;

/// <summary>The POST policy's conditions as S3 documents them, one row each: the policy, the form, and the verdict.</summary>
[UnitTests]
public sealed class PostPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static string Policy(string conditions, string expiration = "2026-11-23T13:00:00.000Z") =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($$"""{"expiration": "{{expiration}}", "conditions": [{{conditions}}]}"""));

    /// <summary>Form fields as "name=value;name=value".</summary>
    private static Dictionary<string, string> Form(string fields) =>
        fields.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);

    public static TheoryData<string, string, string?> Conditions => new()
    {
        // condition(s), form fields, the failure message (null: accepted)
        { """["eq", "$key", "a.txt"]""", "key=a.txt", null },
        { """["eq", "$key", "a.txt"]""", "key=A.txt", "Policy Condition failed: [\"eq\", \"$key\", \"a.txt\"]" }, // values are case-sensitive
        { """["eq", "$Key", "a.txt"]""", "KEY=a.txt", null }, // field names are not
        { """{"key": "a.txt"}""", "key=a.txt", null },
        { """{"key": "a.txt"}""", "key=b.txt", "Policy Condition failed: [\"eq\", \"$key\", \"a.txt\"]" },
        { """["starts-with", "$key", "user/eric/"]""", "key=user/eric/photo.jpg", null },
        { """["starts-with", "$key", "user/eric/"]""", "key=user/bob/photo.jpg", "Policy Condition failed: [\"starts-with\", \"$key\", \"user/eric/\"]" },
        { """["starts-with", "$key", ""]""", "key=anything", null }, // an empty prefix allows any value
        { """["starts-with", "$Content-Type", "image/"]""", "content-type=image/png,image/jpeg", null }, // each listed type must match
        { """["starts-with", "$Content-Type", "image/"]""", "content-type=image/png,text/html", "Policy Condition failed: [\"starts-with\", \"$Content-Type\", \"image/\"]" },
        { """{"bucket": "photos"}""", "", null }, // $bucket is the request's bucket, not a field
        { """{"bucket": "other"}""", "", "Policy Condition failed: [\"eq\", \"$bucket\", \"other\"]" },
        { """["eq", "$x-amz-meta-tag", "blue"]""", "x-amz-meta-tag=blue;x-ignore-note=free;x-amz-signature=s;policy=p", null }, // exempt fields
        { """["eq", "$key", "a.txt"]""", "key=a.txt;x-amz-meta-tag=blue", "Extra input fields: x-amz-meta-tag" },
        { """["eq", "$acl", "public-read"]""", "", "Policy Condition failed: [\"eq\", \"$acl\", \"public-read\"]" }, // a named field must be there
        { """["content-length-range", 1, 10]""", "", null }, // checked on the file, as it streams
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Each_condition_is_checked_as_S3_documents(string conditions, string fields, string? failure)
    {
        var policy = PostPolicy.Parse(Policy(conditions));
        var check = () => policy.Check(Form(fields), "photos", Now);
        if (failure is null)
        {
            check();
            return;
        }
        var e = Assert.Throws<S3Exception>(check);
        Assert.Equal(("AccessDenied", 403, "Invalid according to Policy: " + failure), (e.Error.Code, e.Error.Status, e.Error.Message));
    }

    [Fact]
    public void Content_length_ranges_narrow_each_other_and_may_be_strings()
    {
        var policy = PostPolicy.Parse(Policy("""["content-length-range", 10, 100], ["content-length-range", "20", "200"]"""));
        Assert.Equal((20, 100), (policy.MinLength, policy.MaxLength));
    }

    [Fact]
    public void An_expired_policy_is_refused_even_when_its_conditions_hold()
    {
        var policy = PostPolicy.Parse(Policy("""{"key": "a"}""", expiration: "2026-11-23T11:59:59Z"));
        var e = Assert.Throws<S3Exception>(() => policy.Check(Form("key=a"), "photos", Now));
        Assert.Equal("Invalid according to Policy: Policy expired.", e.Error.Message);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("eyJjb25kaXRpb25zIjogW119")] // no expiration
    [InlineData("eyJleHBpcmF0aW9uIjogIjIwMjYtMTEtMjNUMTM6MDA6MDBaIn0=")] // no conditions
    [InlineData("eyJleHBpcmF0aW9uIjogInNvb24iLCAiY29uZGl0aW9ucyI6IFtdfQ==")] // expiration not a date
    public void A_policy_that_is_not_one_is_InvalidPolicyDocument(string base64)
    {
        var e = Assert.Throws<S3Exception>(() => PostPolicy.Parse(base64));
        Assert.Equal(("InvalidPolicyDocument", 400), (e.Error.Code, e.Error.Status));
    }

    [Theory]
    [InlineData("""["ne", "$key", "a"]""")]
    [InlineData("""["eq", "key", "a"]""")]
    [InlineData("""["eq", "$key"]""")]
    [InlineData("""{"key": 5}""")]
    [InlineData("""["content-length-range", -1, 10]""")]
    public void A_condition_S3_does_not_know_is_InvalidPolicyDocument(string condition)
    {
        var e = Assert.Throws<S3Exception>(() => PostPolicy.Parse(Policy(condition)));
        Assert.Equal("InvalidPolicyDocument", e.Error.Code);
    }
}

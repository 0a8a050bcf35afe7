using System.Net;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Policies;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>The policy grammar S3 accepts, its reasons for refusing one, and how a compiled policy answers requests.</summary>
[UnitTests]
public sealed class PolicyDocumentTests
{
    private const string Bucket = "photos";

    private static string Doc(string statements) => $$"""{"Version": "2012-10-17", "Statement": {{statements}}}""";

    private static PolicyVerdict Ask(PolicyDocument policy, string action, string resource, string? principal = null, ConditionKeys? keys = null) =>
        policy.Evaluate(new AccessQuery(action, resource, principal, keys ?? ConditionKeys.None));

    [Theory]
    [InlineData("not json", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("{\"Statement\": [", "This policy contains invalid Json")]
    [InlineData("{\"Version\": \"2012-10-17\"}", "Missing required field Statement")]
    [InlineData("{\"Version\": \"2011-01-01\", \"Statement\": []}", "The policy must contain a valid version string")]
    [InlineData("{\"Statement\": []}", "Could not parse the policy: Statement is empty!")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allo\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Invalid effect: Allo")]
    [InlineData("{\"Statement\": {\"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Effect")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Principal")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ec2:RunInstances\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Policy has invalid action")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Policy has invalid action")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::other/*\"}}", "Policy has invalid resource")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}", "Policy has invalid resource")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:PutObject\", \"Resource\": \"arn:aws:s3:::photos\"}}", "Action does not apply to any resource(s) in statement")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"x\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Invalid principal in policy")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:ListBucket\", \"Resource\": \"arn:aws:s3:::photos\", \"Condition\": {\"StringEqualz\": {\"s3:prefix\": \"a\"}}}}", "Invalid Condition type : StringEqualz")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:ListBucket\", \"Resource\": \"arn:aws:s3:::photos\", \"Condition\": {\"StringEquals\": {\"s3:prefixx\": \"a\"}}}}", "Policy has an invalid condition key")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Actions\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Unknown field Actions")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": [\"s3:ListBucket\", \"s3:GetObject\"], \"Resource\": [\"arn:aws:s3:::photos\", \"arn:aws:s3:::photos/*\"], \"Condition\": {\"StringLike\": {\"s3:prefix\": \"a/*\"}}}}", "Conditions do not apply to combination of actions and resources in statement")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos\", \"Condition\": {\"StringEquals\": {\"s3:x-amz-acl\": \"private\"}}}}", "Conditions do not apply to combination of actions and resources in statement")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.300\"}}}}", "Invalid IP address in Conditions")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\", \"Condition\": {\"NotIpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"123\"]}}}}", "Invalid IP address in Conditions")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": []}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Principal cannot be empty!")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Principal cannot be empty!")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Principal cannot be empty!")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"NotAction\": \"s3:PutObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Invalid policy syntax.")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\"}}", "Missing required field Resource")]
    [InlineData("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Resource\": \"arn:aws:s3:::photos/*\"}}", "Missing required field Action")]
    public void A_bucket_policy_S3_refuses_is_MalformedPolicy_with_its_reason(string text, string reason)
    {
        var e = Assert.Throws<S3Exception>(() => PolicyDocument.ForBucket(text, Bucket));
        Assert.Equal(("MalformedPolicy", 400, reason), (e.Error.Code, e.Error.Status, e.Error.Message));
    }

    [Fact]
    public void A_condition_key_only_some_actions_carry_is_judged_against_the_actions_named_outright()
    {
        PolicyDocument.ForBucket(Doc("""[{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos", "Condition": {"StringLike": {"s3:prefix": "a/*"}}}]"""), Bucket);
        PolicyDocument.ForBucket(Doc("""[{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"], "Condition": {"StringNotLike": {"s3:prefix": "a/*"}}}]"""), Bucket);
        PolicyDocument.ForBucket(Doc("""[{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]"""), Bucket);
    }

    [Fact]
    public void A_policy_over_20_KB_is_refused()
    {
        var statement = """{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}""";
        var big = Doc("[" + string.Join(",", Enumerable.Repeat(statement, 20 * 1024 / statement.Length + 1)) + "]");
        var e = Assert.Throws<S3Exception>(() => PolicyDocument.ForBucket(big, Bucket));
        Assert.Equal("Policy exceeds the maximum allowed document size.", e.Error.Message);
    }

    [Fact]
    public void Statement_may_be_one_object_and_fields_one_value_or_a_list()
    {
        var one = PolicyDocument.ForBucket("""{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}}""", Bucket);
        Assert.Equal(PolicyVerdict.Allow, Ask(one, "s3:GetObject", "photos/a.jpg"));
        Assert.Equal(PolicyVerdict.None, Ask(one, "s3:PutObject", "photos/a.jpg"));
        Assert.Equal(PolicyVerdict.None, Ask(one, "s3:ListBucket", "photos"));
    }

    [Theory]
    // action wildcards compare without case; resources with * and ? and with case
    [InlineData("\"s3:Get*\"", "\"arn:aws:s3:::photos/2024/*\"", "s3:GetObject", "photos/2024/a.jpg", "Allow")]
    [InlineData("\"s3:get*\"", "\"arn:aws:s3:::photos/2024/*\"", "s3:GetObjectTagging", "photos/2024/x/y", "Allow")]
    [InlineData("\"s3:Get*\"", "\"arn:aws:s3:::photos/2024/*\"", "s3:PutObject", "photos/2024/a.jpg", "None")]
    [InlineData("\"s3:Get*\"", "\"arn:aws:s3:::photos/2024/*\"", "s3:GetObject", "photos/2025/a.jpg", "None")]
    [InlineData("\"s3:Get*\"", "\"arn:aws:s3:::photos/2024/*\"", "s3:GetObject", "photos/2024", "None")]
    [InlineData("\"s3:GetObject\"", "\"arn:aws:s3:::photos/a?.jpg\"", "s3:GetObject", "photos/ab.jpg", "Allow")]
    [InlineData("\"s3:GetObject\"", "\"arn:aws:s3:::photos/a?.jpg\"", "s3:GetObject", "photos/abc.jpg", "None")]
    [InlineData("\"s3:GetObject\"", "\"arn:aws:s3:::photos/*.jpg\"", "s3:GetObject", "photos/d/e.jpg", "Allow")]
    [InlineData("\"s3:GetObject\"", "\"arn:aws:s3:::photos/*.jpg\"", "s3:GetObject", "photos/d/e.JPG", "None")]
    [InlineData("[\"s3:*\"]", "[\"arn:aws:s3:::photos\", \"arn:aws:s3:::photos/*\"]", "s3:ListBucket", "photos", "Allow")]
    public void Actions_and_resources_match_with_wildcards(string action, string resource, string asked, string on, string verdict)
    {
        var expected = Enum.Parse<PolicyVerdict>(verdict);
        var policy = PolicyDocument.ForBucket(Doc($$"""[{"Effect": "Allow", "Principal": "*", "Action": {{action}}, "Resource": {{resource}}}]"""), Bucket);
        Assert.Equal(expected, Ask(policy, asked, on));
    }

    [Fact]
    public void NotAction_and_NotResource_match_everything_else()
    {
        var policy = PolicyDocument.ForBucket(Doc("""
            [{"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::photos/*"},
             {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::photos/public/*"}]
            """), Bucket);
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:PutObject", "photos/a"));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:DeleteObject", "photos/a"));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:GetObject", "photos/public/a"));
        Assert.Equal(PolicyVerdict.Deny, Ask(policy, "s3:GetObject", "photos/private/a"));
    }

    [Fact]
    public void A_Deny_wins_over_any_Allow()
    {
        var policy = PolicyDocument.ForBucket(Doc("""
            [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"},
             {"Sid": "nodelete", "Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/ci"]}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::photos/*"}]
            """), Bucket);
        Assert.Equal(PolicyVerdict.Deny, Ask(policy, "s3:DeleteObject", "photos/a", "ci"));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:DeleteObject", "photos/a", "other"));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:DeleteObject", "photos/a", null));
    }

    [Fact]
    public void Principals_name_users_by_access_key_or_ARN_and_star_is_everyone_anonymous_included()
    {
        var policy = PolicyDocument.ForBucket(Doc("""
            [{"Effect": "Allow", "Principal": {"AWS": ["alice", "arn:aws:iam::000000000000:user/bob", "arn:aws:iam::000000000000:root"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]
            """), Bucket);
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:GetObject", "photos/a", "alice"));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:GetObject", "photos/a", "bob"));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:GetObject", "photos/a", "carol"));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:GetObject", "photos/a", null));
    }

    [Fact]
    public void Conditions_on_prefix_delimiter_source_address_and_transport()
    {
        var policy = PolicyDocument.ForBucket(Doc("""
            [{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
              "Condition": {"StringLike": {"s3:prefix": ["public/*", ""]}, "StringEquals": {"s3:delimiter": "/"}}},
             {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
              "Condition": {"StringNotLike": {"s3:prefix": ["*"]}}},
             {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
              "Condition": {"IpAddress": {"aws:SourceIp": ["10.1.0.0/16", "192.0.2.7"]}, "Bool": {"aws:SecureTransport": true}}},
             {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
              "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]
            """), Bucket);
        ConditionKeys List(string prefix, string? delimiter) => new() { Prefix = prefix, Delimiter = delimiter };
        ConditionKeys From(string ip, bool secure) => new() { SourceIp = IPAddress.Parse(ip), SecureTransport = secure };

        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:ListBucket", "photos", keys: List("public/2024/", "/")));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:ListBucket", "photos", keys: List("", "/")));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:ListBucket", "photos", keys: List("public/", null))); // no delimiter: StringEquals fails
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:ListBucket", "photos", keys: List("private/", "/")));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:GetObject", "photos/a", keys: From("10.1.2.3", true)));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:GetObject", "photos/a", keys: From("10.1.2.3", false)));
        Assert.Equal(PolicyVerdict.None, Ask(policy, "s3:GetObject", "photos/a", keys: From("10.2.0.1", true)));
        Assert.Equal(PolicyVerdict.Deny, Ask(policy, "s3:GetObject", "photos/a", keys: From("192.0.2.7", true)));
    }

    [Fact]
    public void Conditions_on_tags_judge_the_objects_tags_the_requests_tags_and_every_or_any_tag_key()
    {
        var policy = PolicyDocument.ForBucket(Doc("""
            [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
              "Condition": {"StringEquals": {"s3:ExistingObjectTag/Security": "public"}}},
             {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
              "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project", "stage"]}, "StringLike": {"s3:RequestObjectTag/project": "b*"}}},
             {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
              "Condition": {"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": "secret"}}}]
            """), Bucket);
        Assert.True(policy.NamesExistingObjectTags);
        PolicyVerdict Get(Dictionary<string, string>? existing) =>
            policy.Evaluate(new AccessQuery("s3:GetObject", "photos/a", null, ConditionKeys.None, existing));
        PolicyVerdict Put(Dictionary<string, string>? tags) =>
            policy.Evaluate(new AccessQuery("s3:PutObject", "photos/a", null, new ConditionKeys { RequestTags = tags }));

        Assert.Equal(PolicyVerdict.Allow, Get(new() { ["Security"] = "public", ["x"] = "y" }));
        Assert.Equal(PolicyVerdict.None, Get(new() { ["security"] = "public" })); // tag keys keep their case
        Assert.Equal(PolicyVerdict.None, Get(new() { ["Security"] = "private" }));
        Assert.Equal(PolicyVerdict.None, Get(null));
        Assert.Equal(PolicyVerdict.Allow, Put(new() { ["project"] = "blue", ["stage"] = "dev" }));
        Assert.Equal(PolicyVerdict.Allow, Put(new() { ["project"] = "blue" }));
        Assert.Equal(PolicyVerdict.None, Put(new() { ["project"] = "red" }));
        Assert.Equal(PolicyVerdict.None, Put(new() { ["project"] = "blue", ["other"] = "1" })); // a key outside the list
        Assert.Equal(PolicyVerdict.Deny, Put(new() { ["project"] = "blue", ["secret"] = "1" }));
        Assert.Equal(PolicyVerdict.None, Put(null)); // no project tag; ForAnyValue over no keys does not hold
        Assert.False(PolicyDocument.ForBucket(Doc("""[{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]"""), Bucket).NamesExistingObjectTags);
    }

    [Fact]
    public void A_user_policy_has_no_principal_may_name_star_and_the_admin_API()
    {
        var policy = PolicyDocument.ForUser(Doc("""[{"Effect": "Allow", "Action": ["s3:GetObject", "admin:*"], "Resource": "*"}]"""));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, "s3:GetObject", "any/key", "u"));
        Assert.Equal(PolicyVerdict.Allow, Ask(policy, S3Actions.AdminApi, "any", "u"));
        var e = Assert.Throws<S3Exception>(() => PolicyDocument.ForUser(Doc("""[{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]""")));
        Assert.Equal("Policy document should not specify a principal.", e.Error.Message);
        Assert.Throws<S3Exception>(() => PolicyDocument.ForBucket(Doc("""[{"Effect": "Allow", "Principal": "*", "Action": "admin:*", "Resource": "arn:aws:s3:::photos"}]"""), Bucket));
    }

    [Theory]
    [InlineData("readwrite", "s3:DeleteObject", "b/k", true)]
    [InlineData("readwrite", "s3:ListAllMyBuckets", "", true)]
    [InlineData("readwrite", S3Actions.AdminApi, "b", false)]
    [InlineData("readonly", "s3:GetObject", "b/k", true)]
    [InlineData("readonly", "s3:ListBucket", "b", true)]
    [InlineData("readonly", "s3:GetObjectTagging", "b/k", true)]
    [InlineData("readonly", "s3:PutObject", "b/k", false)]
    [InlineData("readonly", "s3:DeleteObject", "b/k", false)]
    [InlineData("writeonly", "s3:PutObject", "b/k", true)]
    [InlineData("writeonly", "s3:AbortMultipartUpload", "b/k", true)]
    [InlineData("writeonly", "s3:GetObject", "b/k", false)]
    [InlineData("writeonly", "s3:ListBucket", "b", false)]
    [InlineData("admin", S3Actions.AdminApi, "b", true)]
    [InlineData("admin", "s3:DeleteBucket", "b", true)]
    public void Canned_user_policies_allow_what_MinIO_s_do(string name, string action, string resource, bool allowed)
    {
        Assert.Equal(allowed ? PolicyVerdict.Allow : PolicyVerdict.None, Ask(CannedPolicies.ForUser(name), action, resource, "u"));
    }

    [Theory]
    [InlineData("download", "s3:GetObject", "photos/k", true)]
    [InlineData("download", "s3:ListBucket", "photos", true)]
    [InlineData("download", "s3:PutObject", "photos/k", false)]
    [InlineData("upload", "s3:PutObject", "photos/k", true)]
    [InlineData("upload", "s3:GetObject", "photos/k", false)]
    [InlineData("public", "s3:GetObject", "photos/k", true)]
    [InlineData("public", "s3:DeleteObject", "photos/k", true)]
    public void Canned_bucket_policies_are_valid_bucket_policies_for_anyone(string name, string action, string resource, bool allowed)
    {
        var policy = PolicyDocument.ForBucket(CannedPolicies.ForBucket(name, Bucket)!, Bucket);
        Assert.Equal(allowed ? PolicyVerdict.Allow : PolicyVerdict.None, Ask(policy, action, resource, null));
        Assert.True(policy.IsPublic);
    }

    [Fact]
    public void Every_operation_maps_to_a_known_action()
    {
        foreach (var (operation, action) in S3Actions.ByOperation)
            Assert.True(S3Actions.Known.ContainsKey(action), $"{operation} → {action}");
    }
}

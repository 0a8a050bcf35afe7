namespace S3Overlay.S3.Policies;

/// <summary>
/// MinIO's canned policies. For users: <c>readwrite</c>, <c>readonly</c>, <c>writeonly</c>,
/// <c>admin</c> (docs/security.md shows each document). For a bucket's anonymous access (<c>mc anonymous
/// set</c>): <c>download</c>, <c>upload</c>, <c>public</c>, which are ordinary bucket policies.
/// </summary>
internal static class CannedPolicies
{
    public static readonly IReadOnlyDictionary<string, string> UserPolicies = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["readwrite"] = User("\"s3:*\""),
        ["readonly"] = User("\"s3:ListAllMyBuckets\", \"s3:GetBucketLocation\", \"s3:ListBucket\", \"s3:GetBucketVersioning\", \"s3:GetObject\", \"s3:GetObjectTagging\", \"s3:GetObjectAcl\", \"s3:GetObjectAttributes\""),
        ["writeonly"] = User("\"s3:PutObject\", \"s3:AbortMultipartUpload\", \"s3:ListMultipartUploadParts\", \"s3:ListBucketMultipartUploads\""),
        ["admin"] = User("\"s3:*\", \"admin:*\""),
    };

    /// <summary>The user policy a name stands for, or the document itself when it is JSON.</summary>
    public static PolicyDocument ForUser(string nameOrDocument) =>
        PolicyDocument.ForUser(UserPolicies.TryGetValue(nameOrDocument.Trim(), out var canned) ? canned : nameOrDocument);

    /// <summary>Whether the text names a canned user policy (else it must be a JSON document).</summary>
    public static bool IsUserPolicyName(string text) => UserPolicies.ContainsKey(text.Trim());

    public static readonly string[] BucketPolicyNames = ["none", "download", "upload", "public"];

    /// <summary>The bucket policy <c>mc anonymous set NAME</c> writes; null for <c>none</c>.</summary>
    public static string? ForBucket(string name, string bucket) => name switch
    {
        "none" => null,
        "download" => Anonymous(bucket, Download(bucket)),
        "upload" => Anonymous(bucket, Upload(bucket)),
        "public" => Anonymous(bucket, Download(bucket) + ",\n    " + Upload(bucket)),
        _ => throw new ArgumentException($"'{name}' is none of none, download, upload, public", nameof(name)),
    };

    private static string User(string actions) =>
        $$"""{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [{{actions}}], "Resource": ["arn:aws:s3:::*"]}]}""";

    private static string Download(string bucket) => Statement(bucket, "\"s3:GetBucketLocation\", \"s3:ListBucket\"", "\"s3:GetObject\"");

    private static string Upload(string bucket) =>
        Statement(bucket, "\"s3:GetBucketLocation\", \"s3:ListBucketMultipartUploads\"", "\"s3:AbortMultipartUpload\", \"s3:DeleteObject\", \"s3:ListMultipartUploadParts\", \"s3:PutObject\"");

    private static string Statement(string bucket, string bucketActions, string objectActions) =>
        $$"""{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": [{{bucketActions}}], "Resource": ["arn:aws:s3:::{{bucket}}"]},""" + "\n    " +
        $$"""{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": [{{objectActions}}], "Resource": ["arn:aws:s3:::{{bucket}}/*"]}""";

    private static string Anonymous(string bucket, string statements) =>
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    " + statements + "\n  ]\n}";
}

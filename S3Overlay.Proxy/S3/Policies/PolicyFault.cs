using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Policies;

/// <summary>
/// A policy S3 would refuse: <c>400 MalformedPolicy</c> with S3's reason, word for word, as clients
/// print it. AWS documents none of these texts; each is the one AWS answers as quoted where people
/// hit it, or as servers replay it that were checked against AWS: versity/versitygw
/// (auth/bucket_policy.go; versitygw#645 to #650 and versitygw#1536 quote AWS), scality/cloudserver
/// (lib/api/apiUtils/authorization/permissionChecks.js) and Seagate/cortx-s3server
/// (auth/server/.../policy/BucketPolicyValidator.java).
/// </summary>
internal static class PolicyFault
{
    // versitygw policyErrInvalidFirstChar; S3's own default text for the code.
    public const string FirstByte = "Policies must be valid JSON and the first byte must be '{'";
    // versitygw policyErrInvalidPolicy.
    public const string InvalidJsonText = "This policy contains invalid Json";
    // versitygw policyErrMissingStatmentField (PR #1176), cortx.
    public const string MissingStatement = "Missing required field Statement";
    // versitygw policyErrEmptyStatement (versitygw#646 quotes AWS).
    public const string EmptyStatement = "Could not parse the policy: Statement is empty!";
    // versitygw policyErrInvalidVersion (versitygw#1536 quotes AWS).
    public const string InvalidVersion = "The policy must contain a valid version string";
    // versitygw policyErrInvalidAction (versitygw#650 quotes AWS).
    public const string InvalidAction = "Policy has invalid action";
    // versitygw policyErrInvalidResource (versitygw#648); aws-samples/aws-serverless-appsync-app#4 and terraform#23570 quote AWS.
    public const string InvalidResource = "Policy has invalid resource";
    // versitygw policyErrInvalidPrincipal (versitygw#649); cloud-custodian#4948 quotes AWS.
    public const string InvalidPrincipal = "Invalid principal in policy";
    // terraform-aws-s3-static-website#38 quotes AWS for a Principal with nothing in it; cortx.
    public const string EmptyPrincipal = "Missing required field Principal cannot be empty!";
    // versitygw policyErrResourceMismatch (versitygw#645); terraform-aws-wandb#156 quotes AWS.
    public const string ActionNotApplicable = "Action does not apply to any resource(s) in statement";
    // versitygw policyErrConditionActionMismatch, cortx; terraform users quote it from AWS (s3:prefix with s3:GetObject).
    public const string ConditionsNotApplicable = "Conditions do not apply to combination of actions and resources in statement";
    // versitygw policyErrInvalidConditionKey, scality cloudserver, cortx.
    public const string InvalidConditionKey = "Policy has an invalid condition key";
    // versitygw policyErrInvalidIPCondition and scality cloudserver checkIp: "Conditions", plural.
    public const string InvalidIpAddress = "Invalid IP address in Conditions";
    // cortx-s3server PolicyValidator (both a field and its Not… form in one statement).
    public const string InvalidSyntax = "Invalid policy syntax.";
    // MinIO's text (cmd/api-errors.go ErrPolicyTooLarge, quoted in minio/minio#8625); AWS's own
    // wording for a policy over 20 KB is quoted nowhere we could find. The code stays MalformedPolicy, the code S3 gives every policy it refuses.
    public const string TooLarge = "Policy exceeds the maximum allowed document size.";
    // IAM's MalformedPolicyDocument text for a user policy with a Principal (users file only, never an S3 answer).
    public const string UserPolicyPrincipal = "Policy document should not specify a principal.";

    public static S3Exception Malformed(string reason) => new(S3Error.MalformedPolicy.WithMessage(reason));

    public static S3Exception InvalidJson() => Malformed(InvalidJsonText);

    /// <summary>cortx-s3server BucketPolicyValidator, as S3 names a field it does not know: "Unknown field Actions".</summary>
    public static S3Exception UnknownField(string name) => Malformed($"Unknown field {name}");

    /// <summary>cortx-s3server; terraform#28688 quotes AWS's "Missing required field Principal".</summary>
    public static S3Exception MissingField(string name) => Malformed($"Missing required field {name}");

    /// <summary>versitygw bucket_policy_effect.go (versitygw#647 quotes AWS: "Invalid effect: hello").</summary>
    public static S3Exception InvalidEffect(string value) => Malformed($"Invalid effect: {value}");

    /// <summary>versitygw bucket_policy_condition.go and cortx PolicyValidator, with the space before the colon.</summary>
    public static S3Exception InvalidConditionType(string name) => Malformed($"Invalid Condition type : {name}");
}

namespace S3Overlay.S3.Errors;

/// <summary>An S3 error code with its HTTP status and default message: the one table of them.</summary>
internal sealed record S3Error(string Code, int Status, string Message)
{
    public static readonly S3Error AccessDenied = new("AccessDenied", 403, "Access Denied.");
    public static readonly S3Error AccessControlListNotSupported = new("AccessControlListNotSupported", 400, "The bucket does not allow ACLs.");
    public static readonly S3Error AuthorizationHeaderMalformed = new("AuthorizationHeaderMalformed", 400, "The authorization header is malformed.");
    public static readonly S3Error AuthorizationQueryParametersError = new("AuthorizationQueryParametersError", 400, "The authorization query parameters are malformed.");
    public static readonly S3Error BadRequest = new("BadRequest", 400, "Bad Request.");
    public static readonly S3Error BadDigest = new("BadDigest", 400, "The Content-MD5 or checksum you specified did not match what we received.");
    public static readonly S3Error BucketAlreadyExists = new("BucketAlreadyExists", 409, "The requested bucket name is not available.");
    public static readonly S3Error BucketAlreadyOwnedByYou = new("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.");
    public static readonly S3Error BucketNotEmpty = new("BucketNotEmpty", 409, "The bucket you tried to delete is not empty.");
    public static readonly S3Error CorsForbidden = new("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
    public static readonly S3Error EntityTooLarge = new("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.");
    public static readonly S3Error EntityTooSmall = new("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");
    public static readonly S3Error ExpiredPresignedRequest = new("AccessDenied", 403, "Request has expired.");
    public static readonly S3Error IncompleteBody = new("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    public static readonly S3Error InternalError = new("InternalError", 500, "We encountered an internal error. Please try again.");
    public static readonly S3Error InvalidAccessKeyId = new("InvalidAccessKeyId", 403, "The AWS access key ID you provided does not exist in our records.");
    public static readonly S3Error InvalidBucketState = new("InvalidBucketState", 409, "The request is not valid with the current state of the bucket.");
    public static readonly S3Error InvalidRetentionPeriod = new("InvalidRetentionPeriod", 400, "The retention period must be a positive whole number of days or years, at most 100 years.");
    public static readonly S3Error InvalidArgument = new("InvalidArgument", 400, "Invalid argument.");
    public static readonly S3Error InvalidBucketAclWithObjectOwnership = new("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting.");
    public static readonly S3Error InvalidBucketName = new("InvalidBucketName", 400, "The specified bucket is not valid.");
    public static readonly S3Error InvalidDigest = new("InvalidDigest", 400, "The Content-MD5 or checksum you specified is not valid.");
    public static readonly S3Error InvalidObjectName = new("InvalidObjectName", 400, "The specified key cannot be stored.");
    public static readonly S3Error InvalidPolicyDocument = new("InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document.");
    public static readonly S3Error InvalidPart = new("InvalidPart", 400, "One or more of the specified parts could not be found.");
    public static readonly S3Error InvalidPartOrder = new("InvalidPartOrder", 400, "The list of parts was not in ascending order.");
    public static readonly S3Error InvalidRange = new("InvalidRange", 416, "The requested range is not satisfiable.");
    /// <summary>An UploadPartCopy range outside its source (400, as MinIO; s3-tests takes 400 or 416).</summary>
    public static readonly S3Error InvalidCopySourceRange = new("InvalidRange", 400, "Range specified is not valid for source object");
    public static readonly S3Error InvalidStorageClass = new("InvalidStorageClass", 400, "The storage class you specified is not valid.");
    public static readonly S3Error InvalidTag = new("InvalidTag", 400, "The tag provided was not a valid tag.");
    public static readonly S3Error InvalidRequest = new("InvalidRequest", 400, "Invalid request.");
    public static readonly S3Error KeyTooLongError = new("KeyTooLongError", 400, "Your key is too long.");
    public static readonly S3Error MalformedACLError = new("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema.");
    public static readonly S3Error MalformedPolicy = new("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'");
    public static readonly S3Error MalformedXML = new("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.");
    public static readonly S3Error MalformedTrailerError = new("MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.");
    public static readonly S3Error MalformedPOSTRequest = new("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.");
    public static readonly S3Error MaxPostPreDataLengthExceeded = new("MaxPostPreDataLengthExceededError", 400, "Your POST request fields preceding the upload file were too large.");
    public static readonly S3Error MetadataTooLarge = new("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.");
    public static readonly S3Error MethodNotAllowed = new("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");
    public static readonly S3Error MissingContentLength = new("MissingContentLength", 411, "You must provide the Content-Length HTTP header.");
    public static readonly S3Error MissingSecurityHeader = new("MissingSecurityHeader", 400, "Your request is missing a required header.");
    public static readonly S3Error RequestTimeout = new("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period.");
    public static readonly S3Error ConditionalRequestConflict = new("ConditionalRequestConflict", 409, "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.");
    public static readonly S3Error NoSuchBucket = new("NoSuchBucket", 404, "The specified bucket does not exist.");
    public static readonly S3Error NoSuchBucketPolicy = new("NoSuchBucketPolicy", 404, "The bucket policy does not exist");
    public static readonly S3Error NoSuchCORSConfiguration = new("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist");
    public static readonly S3Error NoSuchLifecycleConfiguration = new("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist");
    public static readonly S3Error NoSuchTagSet = new("NoSuchTagSet", 404, "The TagSet does not exist");
    public static readonly S3Error NoSuchObjectLockConfiguration = new("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration");
    public static readonly S3Error ObjectLockConfigurationNotFound = new("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket");
    public static readonly S3Error NoSuchKey = new("NoSuchKey", 404, "The specified key does not exist.");
    public static readonly S3Error NoSuchUpload = new("NoSuchUpload", 404, "The specified multipart upload does not exist.");
    public static readonly S3Error NoSuchVersion = new("NoSuchVersion", 404, "The specified version does not exist.");
    public static readonly S3Error NotImplemented = new("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented.");
    public static readonly S3Error NotModified = new("NotModified", 304, "Not Modified.");
    public static readonly S3Error PreconditionFailed = new("PreconditionFailed", 412, "At least one of the preconditions you specified did not hold.");
    public static readonly S3Error RemoteUnavailable = new("ServiceUnavailable", 503, "The remote store could not be reached.");
    public static readonly S3Error RemoteError = new("BadGateway", 502, "The remote store answered with an error.");
    public static readonly S3Error RequestTimeTooSkewed = new("RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large.");
    public static readonly S3Error ServiceUnavailable = new("ServiceUnavailable", 503, "Service is unable to handle request.");
    public static readonly S3Error SignatureDoesNotMatch = new("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided.");
    public static readonly S3Error SlowDown = new("SlowDown", 503, "Please reduce your request rate.");
    /// <summary>
    /// A write the store's disk has no room for. S3 has no such error; this is MinIO's answer
    /// (ErrStorageFull in its cmd/api-errors.go: the code, 507 and the words), which S3 clients
    /// already meet from MinIO.
    /// </summary>
    public static readonly S3Error StorageFull = new("XMinioStorageFull", 507, "Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.");
    public static readonly S3Error OwnershipControlsNotFound = new("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found.");
    public static readonly S3Error UnresolvableGrantByEmailAddress = new("UnresolvableGrantByEmailAddress", 400, "The e-mail address you provided does not match any account on record.");
    public static readonly S3Error XAmzContentSHA256Mismatch = new("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");

    /// <summary>The same code and status with a more specific message.</summary>
    public S3Error WithMessage(string message) => this with { Message = message };
}

using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Policies;

/// <summary>A policy S3 would refuse: <c>400 MalformedPolicy</c> with S3's reason.</summary>
public static class PolicyFault
{
    public static S3Exception Malformed(string reason) => new(S3Error.MalformedPolicy.WithMessage(reason));

    public static S3Exception InvalidJson() => Malformed("This policy contains invalid Json");
}

using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Lifecycle;

internal static partial class LifecycleXml
{
    /// <summary>The storage classes a transition may name on S3.</summary>
    private static readonly string[] TransitionClasses = ["GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];

    /// <summary>
    /// A rule's transitions are read as S3 reads them, so a document S3 would refuse (a date that is
    /// not ISO 8601, no storage class) is refused as S3 refuses it (400); a valid one is still
    /// <c>501</c>: this server keeps one storage class.
    /// </summary>
    private static void RefuseTransitions(XElement rule)
    {
        var transitions = rule.Children("Transition").ToList();
        var noncurrent = rule.Children("NoncurrentVersionTransition").ToList();
        if (transitions.Count + noncurrent.Count == 0) return;
        foreach (var t in transitions)
        {
            OnlyChildren(t, "Days", "Date", "StorageClass");
            var days = Single(t, "Days");
            var date = Single(t, "Date");
            if ((days is null) == (date is null)) throw Malformed();
            if (date is not null) Midnight(date);
            else Size(days, "Days");
            TransitionClass(t);
        }
        foreach (var t in noncurrent)
        {
            OnlyChildren(t, "NoncurrentDays", "NewerNoncurrentVersions", "StorageClass");
            Size(Single(t, "NoncurrentDays", required: true), "NoncurrentDays");
            if (Single(t, "NewerNoncurrentVersions") is { } newer)
                Positive(newer, "'NewerNoncurrentVersions' for NoncurrentVersionTransition action must be a positive integer");
            TransitionClass(t);
        }
        throw new S3Exception(S3Error.NotImplemented.WithMessage("Transitions are not supported: this server keeps one storage class."));
    }

    private static void TransitionClass(XElement transition)
    {
        if (Array.IndexOf(TransitionClasses, Single(transition, "StorageClass", required: true)) < 0) throw Malformed();
    }
}

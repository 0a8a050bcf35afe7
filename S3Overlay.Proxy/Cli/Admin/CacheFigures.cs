using System.Text.Json;
using S3Overlay.Web;

namespace S3Overlay.Cli.Admin;

/// <summary>A cache report of the admin API (<c>objects</c>, <c>chunkedObjects</c>, <c>chunks</c>, <c>bytes</c>) in one line.</summary>
internal static class CacheFigures
{
    public static string Describe(JsonElement report) =>
        $"{report.GetProperty("objects")} objects ({report.GetProperty("chunkedObjects")} in {report.GetProperty("chunks")} chunks), {ByteSize.Format(report.GetProperty("bytes").GetInt64())}";
}

using System.Globalization;

namespace S3Overlay.Web;

/// <summary>Sizes for people: <c>512 B</c>, <c>1.5 KiB</c>, <c>3.2 GiB</c>.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Format(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? bytes.ToString("N0", CultureInfo.InvariantCulture) + " B" : string.Format(CultureInfo.InvariantCulture, "{0:0.0} {1}", value, Units[unit]);
    }
}

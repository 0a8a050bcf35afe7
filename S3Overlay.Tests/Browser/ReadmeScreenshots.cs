using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// Where Chromium tests put the screenshots the README shows: the repository's docs/ when
/// <c>S3OVERLAY_README_SCREENSHOTS=1</c> (a person refreshing them on purpose), else the test
/// output, so CI runs never rewrite committed images.
/// </summary>
public static class ReadmeScreenshots
{
    public const string Variable = "S3OVERLAY_README_SCREENSHOTS";

    public static string PathFor(string name)
    {
        var dir = Environment.GetEnvironmentVariable(Variable) == "1" ? Path.Combine(RepoPaths.Root, "docs") : ChromiumTests.ScreenshotDir;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}

using System.Security.Cryptography;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Files of pseudo-random bytes, written and compared a buffer at a time.</summary>
public static class TestFiles
{
    public static string WriteRandom(string path, long length, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(seed);
        var buffer = new byte[1024 * 1024];
        using var file = File.Create(path);
        for (var left = length; left > 0; left -= buffer.Length)
        {
            random.NextBytes(buffer);
            file.Write(buffer, 0, (int)Math.Min(left, buffer.Length));
        }
        return path;
    }

    public static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    /// <summary>Asserts two files hold the same bytes (length first, for a readable failure).</summary>
    public static void AssertSameBytes(string expected, string actual)
    {
        Assert.Equal(new FileInfo(expected).Length, new FileInfo(actual).Length);
        Assert.Equal(Sha256(expected), Sha256(actual));
    }
}

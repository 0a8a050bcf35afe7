using System.Security.Cryptography;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// Two versions of one cloud-optimized GeoTIFF, made once per test class with GDAL itself
/// (<c>gdal_translate -of COG</c>) from random pixels: 1024 × 1024 bytes, one band, 256 × 256 tiles
/// (64 KiB each) uncompressed, overviews first and the full-resolution tiles after them, as COGs are
/// laid out. Same size and layout, so both have the same header and tile offsets: a reader holding
/// one's header reads the other's tiles as pixels, without an error (what makes a mixed read silent).
/// </summary>
public sealed class GdalRasters : IDisposable
{
    public const int Size = 1024;

    private readonly string _dir = Directory.CreateTempSubdirectory("s3overlay-gdal-").FullName;
    private readonly byte[][] _pixels = new byte[2][];

    public GdalRasters()
    {
        for (var version = 0; version < 2; version++)
        {
            _pixels[version] = new byte[Size * Size];
            new Random(50 + version).NextBytes(_pixels[version]);
            var raw = Path.Combine(_dir, $"v{version}.raw");
            File.WriteAllBytes(raw, _pixels[version]);
            File.WriteAllText(Path.ChangeExtension(raw, ".hdr"), $"ENVI\nsamples = {Size}\nlines = {Size}\nbands = 1\nheader offset = 0\n" +
                "file type = ENVI Standard\ndata type = 1\ninterleave = bsq\nbyte order = 0\n");
            using var gdal = new ClientProcess();
            gdal.RunAsync("/usr/bin/gdal_translate", "-q", "-of", "COG", "-co", "BLOCKSIZE=256", "-co", "COMPRESS=NONE", raw, Cog(version))
                .GetAwaiter().GetResult();
        }
    }

    /// <summary>The raw pixels as an ENVI file (<c>.raw</c> with its <c>.hdr</c>): GDAL's source for a write.</summary>
    public string Raw(int version) => Path.Combine(_dir, $"v{version}.raw");

    /// <summary>The cloud-optimized GeoTIFF of <paramref name="version"/> (0 or 1).</summary>
    public string Cog(int version) => Path.Combine(_dir, $"v{version}.tif");

    /// <summary>The SHA-256 of a window's pixels, row by row, as gdal_windows.py prints it.</summary>
    public string WindowHash(int version, Window w)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var row = w.Y; row < w.Y + w.Height; row++)
            sha.AppendData(_pixels[version], row * Size + w.X, w.Width);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public readonly record struct Window(int X, int Y, int Width, int Height)
    {
        public override string ToString() => $"{X},{Y},{Width},{Height}";
    }
}

using S3Overlay.Tests.Infrastructure;
namespace S3Overlay.Tests.Clients;

/// <summary>
/// The minio-go v7 client program (<c>Clients/minio-go/main.go</c>), built once per test run with
/// Debian's Go and its minio-go package (GOPATH mode, no network), into the test output folder.
/// Go's build cache is the machine's (in the temp folder): only a machine's first run compiles minio-go.
/// </summary>
public static class MinioGoClient
{
    private const string Go = "/usr/bin/go";
    private const string GoPath = "/usr/share/gocode";
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>Skips the test, saying why, where Go or minio-go is not installed (build/install-test-tools.sh installs both).</summary>
    public static void SkipUnlessInstalled()
    {
        if (!File.Exists(Go) || !Directory.Exists(Path.Combine(GoPath, "src/github.com/minio/minio-go/v7")))
            Assert.Skip("golang-go and golang-github-minio-minio-go-v7-dev are not installed (build/install-test-tools.sh installs them)");
    }

    /// <summary>Runs the program's checks against <paramref name="endpoint"/> (host:port) in <paramref name="bucket"/>.</summary>
    public static async Task<ClientResult> RunAsync(string endpoint, string accessKey, string secretKey, string bucket)
    {
        var program = await Built.Value;
        using var client = new ClientProcess();
        return await client.TryRunAsync(program, endpoint, accessKey, secretKey, bucket);
    }

    private static async Task<string> BuildAsync()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Clients", "minio-go");
        var output = Path.Combine(source, "minio-go-client");
        using var go = new ClientProcess();
        go["GOPATH"] = GoPath;
        go["GO111MODULE"] = "off";
        go["GOPROXY"] = "off";
        go["GOFLAGS"] = "-mod=mod";
        go["GOCACHE"] = Path.Combine(Path.GetTempPath(), "s3overlay-go-build-cache");
        await go.RunAsync(Go, "build", "-o", output, Path.Combine(source, "main.go"));
        return output;
    }
}

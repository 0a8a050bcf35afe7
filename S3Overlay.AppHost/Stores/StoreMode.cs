using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace S3Overlay.AppHost.Stores;

/// <summary>How the AppHost runs the two stores (the local one and the fake remote).</summary>
public enum StoreMode
{
    /// <summary>Two MinIO containers, as deployed (the manifest always describes these).</summary>
    Containers,

    /// <summary>Two <c>s3overlay serve</c> processes, each on a folder of its own: no container runtime needed.</summary>
    Processes,

    /// <summary>Two Ceph RGW clusters as processes (a real third-party S3 server), where Ceph is installed and no container runtime answers.</summary>
    Rgw,
}

/// <summary>
/// The AppHost setting <c>S3Overlay:Stores</c> (<c>containers</c>, <c>rgw</c>, <c>processes</c> or
/// <c>auto</c>, the default: containers where a runtime answers, else RGW where Ceph is installed,
/// else <c>s3overlay serve</c> processes): from appsettings.json, <c>S3Overlay__Stores</c> in the environment, or
/// <c>-- --S3Overlay:Stores=processes</c> on the command line.
/// </summary>
public static class StoreModeSetting
{
    public const string Key = "S3Overlay:Stores";

    /// <returns>The mode, and why it was chosen (for the log).</returns>
    /// <exception cref="InvalidOperationException">The setting has another value.</exception>
    public static (StoreMode Mode, string Reason) Resolve(IConfiguration configuration, bool publishing)
    {
        // A deployment has a container runtime: the manifest describes the MinIO containers whatever runs here.
        if (publishing) return (StoreMode.Containers, "publishing describes the deployment's MinIO containers");
        var value = configuration[Key];
        switch (value?.Trim().ToLowerInvariant())
        {
            case "containers":
                return (StoreMode.Containers, $"{Key}=containers");
            case "processes":
                return (StoreMode.Processes, $"{Key}=processes");
            case "rgw":
                return RgwProcessResource.Probe() is { Installed: false } missing
                    ? throw new InvalidOperationException($"{Key}=rgw, but {missing.Description}: install ceph-mon ceph-osd radosgw ceph-common (build/install-test-tools.sh does).")
                    : (StoreMode.Rgw, $"{Key}=rgw");
            case null or "" or "auto":
                var runtime = ContainerRuntime.Probe();
                if (runtime.Answers) return (StoreMode.Containers, $"{Key}=auto and {runtime.Description}");
                var rgw = RgwProcessResource.Probe();
                return rgw.Installed
                    ? (StoreMode.Rgw, $"{Key}=auto, {runtime.Description}, and {rgw.Description}")
                    : (StoreMode.Processes, $"{Key}=auto, {runtime.Description}, and {rgw.Description}");
            default:
                throw new InvalidOperationException($"{Key}={value}: expected containers, rgw, processes or auto.");
        }
    }
}

/// <summary>Whether the container runtime Aspire would use (ASPIRE_CONTAINER_RUNTIME, else docker) answers.</summary>
public static class ContainerRuntime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static (bool Answers, string Description) Probe()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } chosen ? chosen : "docker";
        try
        {
            // The client alone is not enough (Debian's docker.io answers --version with no engine running): ask the engine.
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"'{runtime} info' did not answer within {Patience.TotalSeconds:0} s");
            }
            return process.ExitCode == 0
                ? (true, $"'{runtime} info' answered")
                : (false, $"'{runtime} info' failed: {FirstLine(error.Result)}");
        }
        catch (Win32Exception)
        {
            return (false, $"no '{runtime}' on PATH");
        }
    }

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();
}

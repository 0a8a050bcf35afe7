using System.Diagnostics;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// Whether a container runtime answers, as Aspire's DCP would use it (ASPIRE_CONTAINER_RUNTIME, else
/// docker). The MinIO resources are containers: without a runtime the app never becomes healthy.
/// </summary>
public static class ContainerRuntime
{
    /// <summary>Why the Aspire tests cannot run here, or null when they can.</summary>
    public static string? Unavailable { get; } = Probe();

    private static string? Probe()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } chosen ? chosen : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
                return $"'{runtime} info' did not answer within 20 s: the container runtime is not responding.";
            }
            return process.ExitCode == 0
                ? null
                : $"'{runtime} info' failed ({process.StandardError.ReadToEnd().Trim()}): these tests start MinIO containers and need a running container runtime.";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"No '{runtime}' on PATH: these tests start MinIO containers and need Docker or Podman (set ASPIRE_CONTAINER_RUNTIME=podman for Podman).";
        }
    }
}

using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A server started by a script of build/ that stays in the foreground as its supervisor: it
/// prints <c>name=value</c> lines once the server is ready, and stops the server and removes its
/// folder when its stdin closes (so a test process that dies leaves nothing behind).
/// </summary>
public static class SupervisorScript
{
    /// <summary>Runs <c>bash script args</c> until it has printed <paramref name="lastLine"/>; its lines so far, by name.</summary>
    /// <exception cref="InvalidOperationException">It exited or did not get there within 90 s (what it wrote to stderr says why).</exception>
    public static async Task<(Process Supervisor, Dictionary<string, string> Lines)> StartAsync(string what, string script, string[] args, string lastLine)
    {
        var info = new ProcessStartInfo("bash", [script, .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new Dictionary<string, string>();
        try
        {
            // Ready in seconds on a quiet machine; a loaded one (the suite's two cores) takes longer.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!lines.ContainsKey(lastLine))
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"{what} did not start: {(await stderr).Trim()}");
                var equals = line.IndexOf('=');
                if (equals > 0) lines[line[..equals]] = line[(equals + 1)..];
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{what} did not start within 90 s: {(await stderr).Trim()}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process, lines);
    }

    /// <summary>Closes the supervisor's stdin and waits for it to stop everything; kills it after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process supervisor, TimeSpan grace)
    {
        try
        {
            supervisor.StandardInput.Close();
            using var timeout = new CancellationTokenSource(grace);
            await supervisor.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            supervisor.Kill(entireProcessTree: true);
        }
        supervisor.Dispose();
    }
}

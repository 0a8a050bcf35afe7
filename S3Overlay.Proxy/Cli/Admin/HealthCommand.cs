using System.CommandLine;
using System.Text.Json;

namespace S3Overlay.Cli.Admin;

/// <summary>
/// <c>s3overlay health</c>: exit 0 when the server at <c>--server</c> says it is healthy, 1 otherwise
/// (a container's HEALTHCHECK, a script's wait). Health needs no credentials.
/// </summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var server = new ServerOptions().Server;
        var command = new Command("health", "Exit 0 when the server answers that it is healthy, 1 when it does not (or cannot be reached)") { server };
        command.SetAction(async (result, ct) =>
        {
            var url = result.GetValue(server)!.TrimEnd('/') + "/_overlay/health";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string status;
            try
            {
                using var response = await http.GetAsync(url, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                status = JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() ?? "?";
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                throw new CliException($"{url}: {e.Message}", exitCode: 1);
            }
            await result.InvocationConfiguration.Output.WriteLineAsync($"{url}: {status}");
            return status == "Healthy" ? 0 : 1;
        });
        return command;
    }
}

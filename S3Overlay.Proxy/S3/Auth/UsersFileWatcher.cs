using Microsoft.Extensions.Logging;

namespace S3Overlay.S3.Auth;

/// <summary>
/// Reads the users file again when it changes, without a restart: every second it compares the
/// file's text with what it last read (an editor's rename-over and an in-place write alike). A file
/// that no longer parses keeps the last good users and logs why. A removed user's next request is
/// InvalidAccessKeyId.
/// </summary>
internal sealed class UsersFileWatcher(AuthSettings settings, TimeProvider clock, ILogger<UsersFileWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private string? _lastText;
    private int _changesSeen;

    /// <summary>How many changed versions of the file have been read, good or not (what a test waits on).</summary>
    public int ChangesSeen => Volatile.Read(ref _changesSeen);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.UsersFile is not { } path) return Task.CompletedTask;
        if (UsersFile.ReadableByOthers(path))
            logger.LogWarning("The users file {Path} can be read by other users of this machine, and it holds secret keys: chmod 600 it", path);
        _lastText = TryReadText(path);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = settings.UsersFile!;
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(Interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
            var text = TryReadText(path);
            if (text is null || text == _lastText) continue;
            _lastText = text;
            try
            {
                var users = UsersFile.Parse(text);
                settings.Users.ReplaceFileUsers(users);
                logger.LogInformation("Users file {Path} read again: {Count} users", path, users.Count);
            }
            catch (UsersFile.Fault e)
            {
                logger.LogWarning("Users file {Path} changed but cannot be used ({Reason}); the users it had before stay", path, e.Message);
            }
            Interlocked.Increment(ref _changesSeen);
        }
    }

    /// <summary>The file's text; null while it is missing or being replaced (the next look reads it).</summary>
    private static string? TryReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

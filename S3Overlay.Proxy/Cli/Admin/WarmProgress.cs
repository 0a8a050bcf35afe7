using System.Text.Json;
using S3Overlay.Web;

namespace S3Overlay.Cli.Admin;

/// <summary>
/// A warm job's progress as the person sees it: a bar redrawn in place on a terminal, or one plain
/// line per change when the output is a file or a pipe (so logs do not fill with carriage returns).
/// </summary>
internal sealed class WarmProgress(TextWriter output, bool terminal)
{
    private const int BarWidth = 30;
    private string? _last;

    public void Show(JsonElement job)
    {
        var line = Describe(job);
        if (line == _last) return;
        _last = line;
        if (terminal) output.Write($"\r{Bar(job)} {line}\u001b[K");
        else output.WriteLine(line);
        output.Flush();
    }

    public void Finish()
    {
        if (terminal && _last is not null) output.WriteLine();
    }

    public static string Describe(JsonElement job)
    {
        var total = job.GetProperty("objectsTotal");
        var done = job.GetProperty("objectsDone").GetInt32();
        var failed = job.GetProperty("objectsFailed").GetInt32();
        var skipped = job.GetProperty("objectsSkipped").GetInt32();
        var counted = total.ValueKind == JsonValueKind.Number ? $"{done}/{total.GetInt32()} objects" : $"{done} objects (listing the remote)";
        return $"{counted}, {ByteSize.Format(job.GetProperty("bytes").GetInt64())}{(failed > 0 ? $", {failed} failed" : "")}{(skipped > 0 ? $", {skipped} skipped (deleted here or gone)" : "")}";
    }

    private static string Bar(JsonElement job)
    {
        var total = job.GetProperty("objectsTotal");
        var fraction = total.ValueKind == JsonValueKind.Number && total.GetInt32() > 0
            ? (job.GetProperty("objectsDone").GetInt32() + job.GetProperty("objectsFailed").GetInt32() + job.GetProperty("objectsSkipped").GetInt32()) / (double)total.GetInt32()
            : 0;
        var filled = (int)Math.Round(fraction * BarWidth);
        return "[" + new string('#', filled) + new string('.', BarWidth - filled) + "]";
    }
}

using System.CommandLine;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Cli;

/// <summary>
/// <c>s3overlay reference [--write DOCS]</c> (hidden, for whoever changes a setting): prints the
/// settings reference generated from the declarations, or writes it into docs/configuration.md and
/// docs/cli.md between their marker comments.
/// </summary>
internal static class ReferenceCommand
{
    public static Command Create()
    {
        var write = new Option<string?>("--write") { Description = "The docs folder whose pages to rewrite (docs)" };
        var command = new Command("reference", "Print (or --write into the docs) the settings reference generated from the declared settings")
        {
            Hidden = true,
        };
        command.Options.Add(write);
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(write) is not { } docs)
            {
                foreach (var (file, _, text) in ReferenceTables.Parts) await output.WriteAsync($"<!-- {file} -->\n{text}\n");
                return 0;
            }
            IReadOnlyList<string> changed;
            try
            {
                changed = ReferenceTables.Write(docs);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw new CliException($"--write: {e.Message}");
            }
            await output.WriteLineAsync(changed.Count == 0 ? "s3overlay: the reference is current" : "s3overlay: rewrote " + string.Join(", ", changed));
            return 0;
        });
        return command;
    }
}

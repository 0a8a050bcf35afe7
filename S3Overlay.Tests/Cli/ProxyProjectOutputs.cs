namespace S3Overlay.Tests.Cli;

/// <summary>
/// Tests that package the proxy project's build (the tool package, the single file) one at a
/// time: both write their publish steps' files into its obj folder.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProxyProjectOutputs
{
    public const string Name = "The proxy project's build outputs";
}

namespace S3Overlay.Storage.FileSystem;

/// <summary>Another server holds the data folder (<see cref="FileSystemStoreOptions.Exclusive"/>).</summary>
internal sealed class DataFolderInUseException(string message) : IOException(message);

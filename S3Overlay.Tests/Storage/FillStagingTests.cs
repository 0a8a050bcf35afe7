using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// A fill over the embedded store is staged: its spill is made in the store's own temp folder and
/// committed from there (a rename when the object is stored in the clear), never a spill file
/// beside the store's own copy, whatever the chain puts between the overlay and the store
/// (encryption at rest, with or without a master key). Over an S3 local store it streams, its
/// spill in the spill folder. What a store can stage is declared where it is built and carried up
/// the chain by each link (StoreChain): a link that drops it costs every fill a second file, and
/// these fail.
/// </summary>
[FunctionalTests]
public sealed class FillStagingTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int Size = 1024 * 1024;
    private const string Key = "staged.bin";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fill_over_the_embedded_store_is_its_staged_file_renamed_into_place(bool masterKey)
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("inodes are Unix's");
        await using var fill = await PausedFill.StartAsync(servers, LocalStoreKind.Embedded, masterKey);
        Assert.NotNull(fill.Env.Proxy.Services.GetKeyedService<IStagingStore>(OverlayServices.LocalStaging));

        var seen = await fill.SeeWhileWritingAsync();
        Assert.Empty(seen.Spilled); // no spill of its own beside the store's file
        var stored = FileVersion.OfPath(Path.Join(fill.Env.DataDir, fill.Env.Bucket, Key))?.Inode;
        Assert.True(stored is { } inode && seen.Staged.ContainsValue(inode), "the stored object is the file the fill was writing, renamed");
    }

    [Fact]
    public async Task A_fill_into_a_bucket_encrypted_by_default_is_staged_then_sealed_through_the_layer()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("inodes are Unix's");
        await using var fill = await PausedFill.StartAsync(servers, LocalStoreKind.Embedded, masterKey: true);
        await fill.Env.Client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = fill.Env.Bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        });

        var seen = await fill.SeeWhileWritingAsync();
        Assert.Empty(seen.Spilled);
        Assert.NotEmpty(seen.Staged);
        // Sealed as a PUT would be: the stored file is the sealed body (larger than the plaintext),
        // and no staged file is left (each path is new: the plaintext's was removed).
        var stored = Path.Join(fill.Env.DataDir, fill.Env.Bucket, Key);
        Assert.True(new FileInfo(stored).Length > Size, $"stored {new FileInfo(stored).Length} bytes: not sealed");
        Assert.DoesNotContain(seen.Staged.Keys, File.Exists);
        var head = await fill.Env.Client.GetObjectMetadataAsync(fill.Env.Bucket, Key);
        Assert.Equal(ServerSideEncryptionMethod.AES256, head.ServerSideEncryptionMethod);
    }

    [Fact]
    public async Task A_fill_over_an_S3_local_store_streams_to_it_from_a_spill_of_its_own()
    {
        await using var fill = await PausedFill.StartAsync(servers, LocalStoreKind.S3, masterKey: false);
        Assert.Null(fill.Env.Proxy.Services.GetKeyedService<IStagingStore>(OverlayServices.LocalStaging));

        var seen = await fill.SeeWhileWritingAsync();
        Assert.Single(seen.Spilled);
        Assert.True(await fill.Env.IsStoredLocallyAsync(Key));
    }

    /// <summary>The files in the embedded store's temp folder, where it stages what it writes.</summary>
    private static IEnumerable<string> Staged(OverlayEnvironment env) =>
        Directory.EnumerateFiles(Path.Join(env.DataDir, StoreLayout.ReservedName, "tmp"));

    /// <summary>What a fill had made while its remote was paused mid-body: files in the spill folder, and the files in the store's temp folder with their inodes.</summary>
    private sealed record Seen(List<string> Spilled, Dictionary<string, ulong> Staged);

    /// <summary>A proxy with a spill folder of its own over a remote holding <see cref="Key"/>, and a cold read of it held mid-body.</summary>
    private sealed class PausedFill : IAsyncDisposable
    {
        private readonly string _spill;

        private PausedFill(OverlayEnvironment env, string spill) => (Env, _spill) = (env, spill);

        public OverlayEnvironment Env { get; }

        public static async Task<PausedFill> StartAsync(OverlayServers servers, LocalStoreKind kind, bool masterKey)
        {
            var spill = Directory.CreateTempSubdirectory("s3overlay-spill-").FullName;
            var settings = new Dictionary<string, string?> { ["S3_OVERLAY_SPILL_DIR"] = spill };
            if (masterKey) settings["S3_OVERLAY_KMS_SECRET_KEY"] = Encryption.EncryptionAtRestTests.MasterKey;
            try
            {
                var env = await OverlayEnvironment.StartAsync(servers, kind, settings);
                await env.SeedRemoteAsync(Key, Size, 7);
                return new PausedFill(env, spill);
            }
            catch
            {
                Directory.Delete(spill, recursive: true);
                throw;
            }
        }

        /// <summary>
        /// Reads <see cref="Key"/> cold, looks at the spill and temp folders while the remote is
        /// paused a quarter of the way in, then reads the rest and waits for the fill to be stored.
        /// </summary>
        public async Task<Seen> SeeWhileWritingAsync()
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Env.Relay.CutAfterBytes = Size / 4;
            Env.Relay.PauseMidBody = release;
            Env.Relay.ResetCounts();
            Seen seen;
            GetObjectResponse reading;
            try
            {
                reading = await Env.Client.GetObjectAsync(Env.Bucket, Key);
                seen = new Seen([.. Directory.EnumerateFiles(_spill, "*", SearchOption.AllDirectories)], []);
                if (Directory.Exists(Path.Join(Env.DataDir, StoreLayout.ReservedName, "tmp")))
                    foreach (var file in Staged(Env))
                        if (FileVersion.OfPath(file)?.Inode is { } inode) seen.Staged[file] = inode; // null: renamed away meanwhile (another write's)
            }
            finally
            {
                // Released whatever failed above: a fill held mid-body would hold the proxy's stop for its whole timeout.
                release.TrySetResult();
            }
            using (reading)
                Assert.Null(await PatternData.MismatchAsync(reading.ResponseStream, 0, Size, 7));
            await Env.FillsIdleAsync();
            Assert.Equal(1, Env.Relay.TotalRequests); // one remote GET, the fill's
            return seen;
        }

        public async ValueTask DisposeAsync()
        {
            await Env.DisposeAsync();
            Directory.Delete(_spill, recursive: true);
        }
    }
}

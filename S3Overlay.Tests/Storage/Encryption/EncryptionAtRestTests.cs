using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;
using S3Overlay.Tests.S3.PostObject;

namespace S3Overlay.Tests.Storage.Encryption;

/// <summary>
/// SSE-S3, SSE-C and bucket default encryption with real clients (boto3, the aws CLI) on every
/// store: what a client reads back is what it wrote, what the store keeps never holds it in the clear.
/// </summary>
public abstract class EncryptionAtRestTests(StoreTargets target) : EveryStoreTests(target)
{
    /// <summary>A master key for the tests only (32 bytes, base64).</summary>
    public const string MasterKey = "test-key:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    protected override IReadOnlyDictionary<string, string?>? Settings { get; } =
        new Dictionary<string, string?> { ["S3_OVERLAY_KMS_SECRET_KEY"] = MasterKey };

    [Fact]
    public async Task Boto3_reads_back_what_it_wrote_encrypted_and_the_store_never_holds_the_plaintext()
    {
        var bucket = await Target.NewBucketAsync();
        var marker = "MARKER" + Guid.NewGuid().ToString("N");
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "sse_roundtrip.py");
        var result = await python.TryRunAsync("/usr/bin/python3", script, Target.Proxy.Url, bucket, marker);
        Assert.True(result.ExitCode == 0, $"sse_roundtrip.py:\n{result.StdOut}\n{result.StdErr}");

        // The same marker stored in the clear is found where the store keeps its bytes: the search can fail.
        var clear = "CLEAR" + Guid.NewGuid().ToString("N");
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "in-the-clear", ContentBody = clear });
        Assert.True(await StoreHoldsAsync(bucket, clear), "the object stored in the clear is not where the search looks");
        Assert.False(await StoreHoldsAsync(bucket, marker[..24]), "the store holds an encrypted object's plaintext");
    }

    [Fact]
    public async Task The_aws_CLI_copies_with_SSE_S3_and_SSE_C_and_reads_the_bucket_encryption()
    {
        var bucket = await Target.NewBucketAsync();
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        var source = TestFiles.WriteRandom(Path.Combine(aws.Home, "source.bin"), 200_000, seed: 7);
        var key = Path.Combine(aws.Home, "customer.key");
        await File.WriteAllBytesAsync(key, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
        string[] endpoint = ["--endpoint-url", Target.Proxy.Url];

        await aws.RunAsync(AwsCliShell.Program, ["s3", "cp", source, $"s3://{bucket}/managed.bin", "--sse", "AES256", .. endpoint]);
        await aws.RunAsync(AwsCliShell.Program, ["s3", "cp", $"s3://{bucket}/managed.bin", Path.Combine(aws.Home, "managed.out"), .. endpoint]);
        TestFiles.AssertSameBytes(source, Path.Combine(aws.Home, "managed.out"));
        var head = await aws.RunAsync(AwsCliShell.Program, ["s3api", "head-object", "--bucket", bucket, "--key", "managed.bin", .. endpoint]);
        Assert.Contains("\"ServerSideEncryption\": \"AES256\"", head);
        Assert.Contains("\"ContentLength\": 200000", head);

        await aws.RunAsync(AwsCliShell.Program, ["s3", "cp", source, $"s3://{bucket}/customer.bin", "--sse-c", "AES256", "--sse-c-key", "fileb://" + key, .. endpoint]);
        var refused = await aws.TryRunAsync(AwsCliShell.Program, ["s3", "cp", $"s3://{bucket}/customer.bin", Path.Combine(aws.Home, "nokey.out"), .. endpoint]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.False(File.Exists(Path.Combine(aws.Home, "nokey.out")) && new FileInfo(Path.Combine(aws.Home, "nokey.out")).Length > 0);
        await aws.RunAsync(AwsCliShell.Program, ["s3", "cp", $"s3://{bucket}/customer.bin", Path.Combine(aws.Home, "customer.out"), "--sse-c", "AES256", "--sse-c-key", "fileb://" + key, .. endpoint]);
        TestFiles.AssertSameBytes(source, Path.Combine(aws.Home, "customer.out"));

        await aws.RunAsync(AwsCliShell.Program, ["s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
            "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}", .. endpoint]);
        Assert.Contains("AES256", await aws.RunAsync(AwsCliShell.Program, ["s3api", "get-bucket-encryption", "--bucket", bucket, .. endpoint]));
        await aws.RunAsync(AwsCliShell.Program, ["s3", "cp", source, $"s3://{bucket}/by-default.bin", .. endpoint]);
        Assert.Equal(ServerSideEncryptionMethod.AES256, (await Client.GetObjectMetadataAsync(bucket, "by-default.bin")).ServerSideEncryptionMethod);
        var listed = await aws.RunAsync(AwsCliShell.Program, ["s3", "ls", $"s3://{bucket}/", .. endpoint]);
        Assert.Equal(3, listed.Split('\n').Count(line => line.Contains(" 200000 ")));
    }

    /// <summary>
    /// ListObjectVersions tells each version as S3 does: the size and ETag a client wrote and a
    /// HEAD of that version tells, not those of the sealed bytes the store keeps (found by the
    /// reliability load: 32 bytes more, and 16 a 64 KiB package).
    /// </summary>
    /// <summary>An encrypted object's ETag, as clients are shown it, names it in a conditional write or delete (the store keeps it in another form).</summary>
    [Fact]
    public async Task Conditional_writes_and_deletes_name_an_encrypted_object_by_the_ETag_clients_were_shown()
    {
        var bucket = await Target.NewBucketAsync();
        PutObjectRequest Sealed(string body, string? ifMatch = null) =>
            new() { BucketName = bucket, Key = "cond", ContentBody = body, ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256, IfMatch = ifMatch };
        var first = (await Client.PutObjectAsync(Sealed("one"))).ETag;
        var second = (await Client.PutObjectAsync(Sealed("two", ifMatch: first))).ETag;

        var stale = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "cond", IfMatch = first }));
        Assert.Equal("PreconditionFailed", stale.ErrorCode);
        Assert.Equal(second, (await Client.GetObjectMetadataAsync(bucket, "cond")).ETag);
        await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "cond", IfMatch = second });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "cond"))).StatusCode);
    }

    [Fact]
    public async Task ListObjectVersions_tells_each_encrypted_versions_own_size_and_ETag()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        var customerKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray());
        var written = new List<(string VersionId, long Size)>
        {
            (await PutVersionAsync(1000, r => r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256), 1000),
            (await PutVersionAsync(70_000, r => { r.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256; r.ServerSideEncryptionCustomerProvidedKey = customerKey; }), 70_000),
            (await PutVersionAsync(300, _ => { }), 300),
        };

        var listed = (await Client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket })).Versions;
        Assert.Equal(written.Select(w => (w.VersionId, w.Size)).Reverse(), listed.Select(v => (v.VersionId, v.Size ?? -1)));
        foreach (var version in listed.Where(v => v.VersionId != written[1].VersionId)) // SSE-C: a HEAD needs the key
            Assert.Equal((await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "v", VersionId = version.VersionId })).ETag, version.ETag);

        async Task<string> PutVersionAsync(int size, Action<PutObjectRequest> seal)
        {
            var put = new PutObjectRequest { BucketName = bucket, Key = "v", InputStream = new MemoryStream(new byte[size]) };
            seal(put);
            return (await Client.PutObjectAsync(put)).VersionId;
        }
    }

    private const string KeyId = "test-key"; // MasterKey's name

    private Task<PutBucketEncryptionResponse> PutDefaultAsync(string bucket, ServerSideEncryptionMethod algorithm, string? keyId = null) =>
        Client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules =
                [
                    new ServerSideEncryptionRule
                    {
                        ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = algorithm, ServerSideEncryptionKeyManagementServiceKeyId = keyId },
                    },
                ],
            },
        });

    private async Task<(ServerSideEncryptionMethod, string?)> DefaultOfAsync(string bucket)
    {
        var rule = (await Client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Single();
        return (rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm, rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public async Task A_bucket_default_of_aws_kms_seals_plain_writes_under_the_one_key_and_a_key_not_ours_is_refused()
    {
        var bucket = await Target.NewBucketAsync();
        await PutDefaultAsync(bucket, ServerSideEncryptionMethod.AWSKMS, KeyId);
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), await DefaultOfAsync(bucket));

        var marker = "KMSDEFAULT" + Guid.NewGuid().ToString("N");
        var put = await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain", ContentBody = marker });
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), (put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId));
        var head = await Client.GetObjectMetadataAsync(bucket, "plain");
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId, (long)marker.Length), (head.ServerSideEncryptionMethod, head.ServerSideEncryptionKeyManagementServiceKeyId, head.ContentLength));
        using (var got = await Client.GetObjectAsync(bucket, "plain"))
            Assert.Equal(marker, await new StreamReader(got.ResponseStream).ReadToEndAsync());
        // A write's own choice still wins over the default.
        var managed = await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "managed", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        Assert.Equal(ServerSideEncryptionMethod.AES256, managed.ServerSideEncryptionMethod);

        // An upload in parts that names no encryption is sealed by the default too.
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "parts" });
        var part = await Client.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "parts", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Encoding.ASCII.GetBytes(marker)) });
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "parts", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] });
        var parts = await Client.GetObjectMetadataAsync(bucket, "parts");
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), (parts.ServerSideEncryptionMethod, parts.ServerSideEncryptionKeyManagementServiceKeyId));

        // Another key is none this server has: S3's KMS.NotFoundException, and the default stays; a key id with AES256 is refused as S3 refuses it.
        var unknown = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => PutDefaultAsync(bucket, ServerSideEncryptionMethod.AWSKMS, "another-key"));
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "KMS.NotFoundException"), (unknown.StatusCode, unknown.ErrorCode));
        var misplaced = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => PutDefaultAsync(bucket, ServerSideEncryptionMethod.AES256, KeyId));
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "InvalidArgument"), (misplaced.StatusCode, misplaced.ErrorCode));
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), await DefaultOfAsync(bucket));

        // Without a key id (or with the key's ARN, as MinIO reads one), the one key seals it.
        foreach (var keyId in new[] { null, "arn:aws:kms:" + KeyId })
        {
            await PutDefaultAsync(bucket, ServerSideEncryptionMethod.AWSKMS, keyId);
            Assert.Equal((ServerSideEncryptionMethod.AWSKMS, keyId), await DefaultOfAsync(bucket));
            var again = await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "again", ContentBody = marker });
            Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), (again.ServerSideEncryptionMethod, again.ServerSideEncryptionKeyManagementServiceKeyId));
        }

        var clear = "CLEAR" + Guid.NewGuid().ToString("N");
        await Client.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = bucket });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "in-the-clear", ContentBody = clear });
        Assert.True(await StoreHoldsAsync(bucket, clear), "the object stored in the clear is not where the search looks");
        Assert.False(await StoreHoldsAsync(bucket, marker), "the store holds the plaintext of an object its bucket's default sealed");
    }

    /// <summary>
    /// Browser uploads (POST Object) as S3 takes them: the form's x-amz-server-side-encryption*
    /// fields seal the file as PutObject's headers do (SSE-S3, SSE-C), a bucket's default seals a
    /// form that names none, and a form's file (which comes without a length) is never kept in the clear.
    /// </summary>
    [Fact]
    public async Task Browser_uploads_are_sealed_as_their_encryption_fields_or_the_buckets_default_say()
    {
        var bucket = await Target.NewBucketAsync();
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 11)).ToArray();
        var customer = Convert.ToBase64String(key);
        var customerMd5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(key));
        // Over one package of the sealed format, so the file is sealed in several.
        string Body(string marker) => string.Concat(Enumerable.Repeat(marker + ";", 3000));
        async Task<HttpResponseMessage> PostAsync(string into, string name, string body, params (string, string)[] fields)
        {
            using var http = PostForms.Client(Target.Proxy);
            using var content = PostForms.Content(PostForms.SignedV4(into, [("key", name), .. fields]), Encoding.ASCII.GetBytes(body));
            return await http.PostAsync(into, content);
        }
        async Task<string> ReadAsync(GetObjectRequest request)
        {
            using var got = await Client.GetObjectAsync(request);
            return await new StreamReader(got.ResponseStream).ReadToEndAsync();
        }

        var managed = "FORMSSES3" + Guid.NewGuid().ToString("N");
        using (var answer = await PostAsync(bucket, "managed", Body(managed), ("x-amz-server-side-encryption", "AES256")))
        {
            Assert.True(answer.StatusCode == System.Net.HttpStatusCode.NoContent, await answer.Content.ReadAsStringAsync());
            Assert.Equal("AES256", answer.Headers.GetValues("x-amz-server-side-encryption").Single());
        }
        var head = await Client.GetObjectMetadataAsync(bucket, "managed");
        Assert.Equal((ServerSideEncryptionMethod.AES256, (long)Body(managed).Length), (head.ServerSideEncryptionMethod, head.ContentLength));
        Assert.Equal(Body(managed), await ReadAsync(new GetObjectRequest { BucketName = bucket, Key = "managed" }));

        var sealedByCustomer = "FORMSSEC" + Guid.NewGuid().ToString("N");
        (string, string)[] customerFields =
        [
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
            ("x-amz-server-side-encryption-customer-key", customer),
            ("x-amz-server-side-encryption-customer-key-MD5", customerMd5),
        ];
        using (var answer = await PostAsync(bucket, "customer", Body(sealedByCustomer), customerFields))
        {
            Assert.True(answer.StatusCode == System.Net.HttpStatusCode.NoContent, await answer.Content.ReadAsStringAsync());
            Assert.Equal(customerMd5, answer.Headers.GetValues("x-amz-server-side-encryption-customer-key-MD5").Single());
        }
        var withoutKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => ReadAsync(new GetObjectRequest { BucketName = bucket, Key = "customer" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, withoutKey.StatusCode);
        Assert.Equal(Body(sealedByCustomer), await ReadAsync(new GetObjectRequest
        {
            BucketName = bucket, Key = "customer", ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = customer,
        }));
        // A key whose MD5 is not the one sent is refused, and nothing is stored.
        using (var answer = await PostAsync(bucket, "mismatched", "x", customerFields[0], customerFields[1], (customerFields[2].Item1, Convert.ToBase64String(new byte[16]))))
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "mismatched"))).StatusCode);

        // A form in the clear is kept in the clear, where the search looks: the search can fail.
        var clear = "FORMCLEAR" + Guid.NewGuid().ToString("N");
        using (var answer = await PostAsync(bucket, "clear", clear)) Assert.Equal(System.Net.HttpStatusCode.NoContent, answer.StatusCode);
        Assert.True(await StoreHoldsAsync(bucket, clear), "the form stored in the clear is not where the search looks");

        var byDefault = await Target.NewBucketAsync();
        await PutDefaultAsync(byDefault, ServerSideEncryptionMethod.AES256);
        var defaulted = "FORMDEFAULT" + Guid.NewGuid().ToString("N");
        using (var answer = await PostAsync(byDefault, "plain-form", Body(defaulted)))
            Assert.True(answer.StatusCode == System.Net.HttpStatusCode.NoContent, await answer.Content.ReadAsStringAsync());
        Assert.Equal(ServerSideEncryptionMethod.AES256, (await Client.GetObjectMetadataAsync(byDefault, "plain-form")).ServerSideEncryptionMethod);
        Assert.Equal(Body(defaulted), await ReadAsync(new GetObjectRequest { BucketName = byDefault, Key = "plain-form" }));

        foreach (var (into, marker) in new[] { (bucket, managed), (bucket, sealedByCustomer), (byDefault, defaulted) })
            Assert.False(await StoreHoldsAsync(into, marker), $"the store holds a sealed form's plaintext ({marker[..10]})");
    }

    /// <summary>Whether the store behind the proxy holds <paramref name="text"/> anywhere in its bytes.</summary>
    private async Task<bool> StoreHoldsAsync(string bucket, string text)
    {
        var needle = Encoding.ASCII.GetBytes(text);
        if (Target.Backend is { } backend && Kind == StoreKind.RgwLocal)
        {
            foreach (var o in (await backend.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? [])
            {
                using var got = await backend.GetObjectAsync(bucket, o.Key);
                using var bytes = new MemoryStream();
                await got.ResponseStream.CopyToAsync(bytes);
                if (bytes.ToArray().AsSpan().IndexOf(needle) >= 0) return true;
            }
            return false;
        }
        return Directory.EnumerateFiles(Target.Proxy.DataDir, "*", SearchOption.AllDirectories)
            .Any(path => File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0);
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreEncryptionAtRestTests(StoreTargets target) : EncryptionAtRestTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;

    [Fact]
    public async Task A_malformed_master_key_stops_start_up_naming_the_setting()
    {
        foreach (var bad in new[] { "no-colon", "name:not*base64", "name:" + Convert.ToBase64String(new byte[16]) })
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_KMS_SECRET_KEY"] = bad }));
            Assert.Contains("S3_OVERLAY_KMS_SECRET_KEY", e.ToString());
        }
    }

    [Fact]
    public async Task Without_a_master_key_SSE_S3_is_refused_naming_the_setting_and_SSE_C_still_works()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient(defaults: false);
        await client.PutBucketAsync("plain");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(new PutObjectRequest
            { BucketName = "plain", Key = "k", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 }));
        Assert.Equal((System.Net.HttpStatusCode.NotImplemented, "NotImplemented"), (e.StatusCode, e.ErrorCode));
        Assert.Contains("S3_OVERLAY_KMS_SECRET_KEY", e.Message);
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "plain", Key = "c", ContentBody = "secret text",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = key,
        });
        using var got = await client.GetObjectAsync(new GetObjectRequest
            { BucketName = "plain", Key = "c", ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = key });
        Assert.Equal("secret text", await new StreamReader(got.ResponseStream).ReadToEndAsync());
    }
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store: the envelope travels as its user metadata.</summary>
[ConformanceTests]
public sealed class RgwLocalStoreEncryptionAtRestTests(StoreTargets target) : EncryptionAtRestTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}

[ConformanceTests]
public sealed class OverlayEncryptionAtRestTests(StoreTargets target) : EncryptionAtRestTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;

    /// <summary>What the overlay fills from the remote into a bucket whose default is AES256 (or aws:kms) is kept encrypted.</summary>
    [Theory]
    [InlineData("AES256")]
    [InlineData("aws:kms")]
    public async Task A_fill_from_the_remote_is_encrypted_as_the_buckets_default_says(string algorithm)
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = algorithm } }],
            },
        });
        var marker = "REMOTE" + Guid.NewGuid().ToString("N");
        var text = string.Concat(Enumerable.Repeat(marker + ";", 5000));
        await Target.Backend!.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "filled", ContentBody = text, UseChunkEncoding = false });

        using (var got = await Client.GetObjectAsync(bucket, "filled"))
            Assert.Equal(text, await new StreamReader(got.ResponseStream).ReadToEndAsync());
        var local = Target.Proxy.Services.GetRequiredService<FileSystemObjectStore>();
        await Polling.EventuallyAsync(async () => await local.FindObjectAsync(bucket, "filled", CancellationToken.None) is not null, "the fill is stored");
        var stored = await local.HeadObjectAsync(bucket, "filled", S3Overlay.Storage.ReadConditions.None, CancellationToken.None);
        Assert.Equal(algorithm, stored.Metadata.UserMetadata["overlay-sse"]);
        Assert.False(Directory.EnumerateFiles(Target.Proxy.DataDir, "*", SearchOption.AllDirectories)
            .Any(path => File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0), "the fill was stored in the clear");

        // Served from the local copy now: the same bytes, told encrypted.
        var head = await Client.GetObjectMetadataAsync(bucket, "filled");
        Assert.Equal((text.Length, ServerSideEncryptionMethod.FindValue(algorithm)), (head.ContentLength, head.ServerSideEncryptionMethod));
        using var again = await Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "filled", ByteRange = new ByteRange(70000, 70100) });
        Assert.Equal(text.Substring(70000, 101), await new StreamReader(again.ResponseStream).ReadToEndAsync());
    }
}

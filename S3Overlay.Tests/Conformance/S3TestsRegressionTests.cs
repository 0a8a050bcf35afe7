using System.Text.Json;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Conformance;

/// <summary>
/// ceph/s3-tests (vendored in conformance/s3-tests) against the proxy with its embedded store: every
/// test that conformance/s3-tests/expected-passing.txt says the overlay passed must still pass, a
/// row per feature family. One pytest runs them all (collecting s3-tests' 20,000 lines once); each
/// row reads its family's outcomes. The list grows as features land (summarize.py --expectations
/// from a run.sh run); the comparison with RGW is run.sh's, not this test's.
/// </summary>
[ConformanceTests]
[StartsFirst]
public sealed class S3TestsRegressionTests
{
    private static readonly string Suite = Path.Combine(RepoPaths.Root, "conformance", "s3-tests");
    private static readonly string Upstream = Path.Combine(Suite, "upstream");
    // Started with the class (StartsFirstOrderer runs its static constructor as it orders the
    // collections), not when its first row's turn comes: the run is the suite's longest.
    private static readonly Task<Run> Outcomes = Task.Run(RunAsync);

    public static TheoryData<string> Families => ["object_lock", "lifecycle", "encryption", "versioning", "tagging", "ownership", "usual"];

    [Theory]
    [MemberData(nameof(Families))]
    public async Task The_s3_tests_the_overlay_passed_still_pass(string family)
    {
        var expected = ExpectedPassing().Where(e => e.Family == family).Select(e => e.Id).ToList();
        if (expected.Count == 0) Assert.Skip($"the overlay passes no {family} test of s3-tests yet");
        var run = await Outcomes;
        if (run.MissingModules is { } missing)
            Assert.Skip($"s3-tests needs Python modules this machine lacks ({missing}): build/install-test-tools.sh installs them");

        var regressed = expected
            .Where(id => !run.Results.TryGetValue(id, out var r) || r.GetProperty("outcome").GetString() != "passed")
            .Select(id => run.Results.TryGetValue(id, out var r)
                ? $"{id}: {r.GetProperty("outcome")} {(r.TryGetProperty("error", out var e) ? e.GetString() : "")}"
                : $"{id}: not run")
            .ToList();
        Assert.True(regressed.Count == 0,
            $"{regressed.Count} of {expected.Count} {family} tests of s3-tests no longer pass:\n{string.Join('\n', regressed)}\n{run.Output}");
    }

    private sealed record Run(Dictionary<string, JsonElement> Results, string? MissingModules, string Output);

    private static async Task<Run> RunAsync()
    {
        using var python = new ClientProcess(TimeSpan.FromMinutes(10));
        var missing = await python.TryRunAsync("/usr/bin/python3", Path.Combine(Suite, "dependencies.py"));
        if (missing.ExitCode != 0) return new Run([], missing.StdOut.Trim(), "");

        var users = python.WriteFile("users.json", await python.RunAsync("/usr/bin/python3", Path.Combine(Suite, "conf.py"), "users"));
        File.SetUnixFileMode(users, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Set as conformance/s3-tests/run.sh sets the server it compares with RGW: a lifecycle day of
        // 10 s scanned every 2 s, and a master key for SSE-S3 named as s3-tests' SSE-KMS key (testkey-1).
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_USERS_FILE"] = users,
            ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = "10",
            ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "2",
            ["S3_OVERLAY_KMS_SECRET_KEY"] = "testkey-1:" + Convert.ToBase64String(new byte[32]),
        });
        var port = new Uri(proxy.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        python["S3TEST_CONF"] = python.WriteFile("s3tests.conf", await python.RunAsync("/usr/bin/python3", Path.Combine(Suite, "conf.py"), "s3tests", "overlay", port));
        python["PYTHONPATH"] = Suite;
        python["AWS_DEFAULT_REGION"] = "us-east-1";
        python["AWS_EC2_METADATA_DISABLED"] = "true";
        var outcomes = Path.Combine(python.Home, "outcomes.jsonl");

        var run = await python.TryRunAsync("/usr/bin/python3",
        [
            "-m", "pytest", "-p", "families", "-p", "no:cacheprovider", "-c", Path.Combine(Upstream, "pytest.ini"), "--rootdir", Upstream,
            // One argument: pytest takes a separate value that names an existing file for a test path.
            "--outcomes=" + outcomes, "--timeout", "120", "-q", "--no-header",
            .. ExpectedPassing().Select(e => Path.Combine(Upstream, e.Id)),
        ]);
        // Exit 1 is "some test failed": the outcomes say which.
        Assert.True(run.ExitCode is 0 or 1, $"pytest exited with {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        var results = File.ReadLines(outcomes).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(r => r.GetProperty("id").GetString()!);
        return new Run(results, null, run.StdOut.Length > 2000 ? run.StdOut[^2000..] : run.StdOut);
    }

    /// <summary>Each line's family and node id (<c>s3tests/functional/test_s3.py::test_x</c>).</summary>
    private static IEnumerable<(string Family, string Id)> ExpectedPassing() =>
        File.ReadLines(Path.Combine(Suite, "expected-passing.txt"))
            .Where(line => !line.StartsWith('#') && line.Length > 0)
            .Select(line => line.Split(' ', 2))
            .Select(fields => (fields[0], fields[1]));
}

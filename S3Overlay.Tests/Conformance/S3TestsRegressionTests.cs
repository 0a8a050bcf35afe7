using System.Text.Json;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Conformance;

/// <summary>
/// ceph/s3-tests (vendored in conformance/s3-tests) against the proxy with its embedded store, one
/// feature family at a time: every test that conformance/s3-tests/expected-passing.txt says the
/// overlay passed must still pass. The list grows as features land (summarize.py --expectations
/// from a run.sh run); the comparison with RGW is run.sh's, not this test's.
/// </summary>
public sealed class S3TestsRegressionTests
{
    private static readonly string Suite = Path.Combine(RepoPaths.Root, "conformance", "s3-tests");

    public static TheoryData<string> Families => ["object_lock", "lifecycle", "encryption", "versioning", "tagging", "ownership"];

    [Theory]
    [MemberData(nameof(Families))]
    public async Task The_s3_tests_the_overlay_passed_still_pass(string family)
    {
        using var python = new ClientProcess(TimeSpan.FromMinutes(10));
        var missing = await python.TryRunAsync("/usr/bin/python3", Path.Combine(Suite, "dependencies.py"));
        if (missing.ExitCode != 0)
            Assert.Skip($"s3-tests needs Python modules this machine lacks ({missing.StdOut.Trim()}): build/install-test-tools.sh installs them");
        var expected = ExpectedPassing(family);
        if (expected.Count == 0) Assert.Skip($"the overlay passes no {family} test of s3-tests yet");

        var users = python.WriteFile("users.json", await python.RunAsync("/usr/bin/python3", Path.Combine(Suite, "conf.py"), "users"));
        File.SetUnixFileMode(users, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_USERS_FILE"] = users });
        var port = new Uri(proxy.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        python["S3TEST_CONF"] = python.WriteFile("s3tests.conf", await python.RunAsync("/usr/bin/python3", Path.Combine(Suite, "conf.py"), "s3tests", "overlay", port));
        python["PYTHONPATH"] = Suite;
        python["AWS_DEFAULT_REGION"] = "us-east-1";
        python["AWS_EC2_METADATA_DISABLED"] = "true";
        var outcomes = Path.Combine(python.Home, "outcomes.jsonl");
        var upstream = Path.Combine(Suite, "upstream");

        // Exit 1 is "some test failed": the outcomes say which.
        var run = await python.TryRunAsync("/usr/bin/python3",
        [
            "-m", "pytest", "-p", "families", "-p", "no:cacheprovider", "-c", Path.Combine(upstream, "pytest.ini"), "--rootdir", upstream,
            "--outcomes", outcomes, "--timeout", "120", "-q", "--no-header", .. expected.Select(id => Path.Combine(upstream, id)),
        ]);
        Assert.True(run.ExitCode is 0 or 1, $"pytest exited with {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");

        var results = File.ReadLines(outcomes).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(r => r.GetProperty("id").GetString()!);
        var regressed = expected
            .Where(id => !results.TryGetValue(id, out var r) || r.GetProperty("outcome").GetString() != "passed")
            .Select(id => results.TryGetValue(id, out var r) ? $"{id}: {r.GetProperty("outcome")} {(r.TryGetProperty("error", out var e) ? e.GetString() : "")}" : $"{id}: not run")
            .ToList();
        Assert.True(regressed.Count == 0, $"{regressed.Count} of {expected.Count} {family} tests of s3-tests no longer pass:\n{string.Join('\n', regressed)}");
    }

    /// <summary>The node ids (<c>s3tests/functional/test_s3.py::test_x</c>) listed for the family.</summary>
    private static List<string> ExpectedPassing(string family) =>
        [.. File.ReadLines(Path.Combine(Suite, "expected-passing.txt"))
            .Where(line => !line.StartsWith('#') && line.Length > 0)
            .Select(line => line.Split(' ', 2))
            .Where(fields => fields[0] == family)
            .Select(fields => fields[1])];
}

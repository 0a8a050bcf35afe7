using System.Text.RegularExpressions;
using System.Xml.Linq;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// S3Overlay.sln must build and test without Aspire packages; S3Overlay.Aspire.slnx holds everything
/// for machines that have them. This keeps the two in step as projects are added.
/// </summary>
public class SolutionArrangementTests
{
    private static readonly string[] AspireProjects = ["S3Overlay.AppHost/S3Overlay.AppHost.csproj", "S3Overlay.AppHost.Tests/S3Overlay.AppHost.Tests.csproj"];

    private static string[] SlnProjects() =>
        Regex.Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "S3Overlay.sln")), @"Project\(""[^""]+""\) = ""[^""]+"", ""([^""]+\.csproj)""")
            .Select(m => m.Groups[1].Value.Replace('\\', '/')).ToArray();

    private static string[] SlnxProjects() =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "S3Overlay.Aspire.slnx")).Descendants("Project")
            .Select(p => ((string)p.Attribute("Path")!).Replace('\\', '/')).ToArray();

    [Fact]
    public void The_default_solution_leaves_the_Aspire_projects_out()
    {
        var projects = SlnProjects();
        Assert.Contains("S3Overlay.Proxy/S3Overlay.Proxy.csproj", projects);
        Assert.DoesNotContain(projects, p => p.StartsWith("S3Overlay.AppHost", StringComparison.Ordinal));
        // A project file at the root would compile every folder below it, the AppHost's included.
        Assert.All(projects, p => Assert.Contains('/', p));
    }

    [Fact]
    public void The_Aspire_solution_holds_every_project_of_the_default_one_and_the_Aspire_ones()
    {
        var everything = SlnxProjects();
        Assert.Equal(SlnProjects().Concat(AspireProjects).Order(), everything.Order());
        Assert.All(everything, p => Assert.True(File.Exists(Path.Combine(RepoPaths.Root, p)), $"{p} does not exist"));

        // The aspire CLI finds the AppHost through aspire.config.json.
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "aspire.config.json")))!;
        Assert.Equal(AspireProjects[0], (string?)config["appHost"]?["path"]);
    }
}

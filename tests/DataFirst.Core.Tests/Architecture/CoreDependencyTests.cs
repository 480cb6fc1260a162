using System.Xml.Linq;

namespace DataFirst.Core.Tests.Architecture;

/// <summary>Core holds the engine and the pipeline; it must not depend on Azure, Functions or ASP.NET Core.</summary>
public sealed class CoreDependencyTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Azure.",
        "Microsoft.Azure.Functions",
        "Microsoft.DurableTask",
        "Microsoft.AspNetCore",
    ];

    private static bool IsForbidden(string name) =>
        string.Equals(name, "Azure", StringComparison.OrdinalIgnoreCase)
        || ForbiddenPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void CoreAssembly_References_NoAzureFunctionsDurableOrAspNetAssemblies()
    {
        var core = typeof(DataFirst.Core.Storage.IBlobStore).Assembly;

        var forbidden = core.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).Where(IsForbidden).ToList();

        forbidden.Should().BeEmpty("DataFirst.Core must stay free of infrastructure types");
    }

    [Fact]
    public void CoreProject_DeclaresNoForbiddenPackageOrFrameworkReference()
    {
        var csproj = Path.Combine(RepoRoot(), "src", "Core", "DataFirst.Core.csproj");
        var doc = XDocument.Load(csproj);

        var references = doc.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? string.Empty)
            .Select(Path.GetFileNameWithoutExtension)
            .Select(n => n ?? string.Empty)
            .ToList();

        references.Should().NotBeEmpty("the check must see the project's references to mean anything");
        references.Where(IsForbidden).Should().BeEmpty();
        references.Should().NotContain(r => r.StartsWith("DataFirst.Storage", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Azure.Core", true)]
    [InlineData("Azure.Storage.Blobs", true)]
    [InlineData("Microsoft.Azure.Functions.Worker", true)]
    [InlineData("Microsoft.DurableTask.Abstractions", true)]
    [InlineData("Microsoft.AspNetCore.App", true)]
    [InlineData("Microsoft.Extensions.Logging.Abstractions", false)]
    [InlineData("System.Text.Json", false)]
    public void IsForbidden_ClassifiesNames(string name, bool expected) => IsForbidden(name).Should().Be(expected);

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataFirst.Serverless.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DataFirst.Serverless.sln not found above the test folder.");
    }
}

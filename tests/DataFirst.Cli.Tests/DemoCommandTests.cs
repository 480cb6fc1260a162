using System.Text.Json;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Profiles;
using DataFirst.Testing;

namespace DataFirst.Cli.Tests;

/// <summary>`datafirst demo`, run as a real process on a fresh folder, as a new user would.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_FreshFolder_RunsThePipeline_AndWritesAShareWithoutIdentifiers()
    {
        using var temp = new TempFolder();

        var (code, stdout, stderr) = await CliProcess.RunAsync(temp.Path, TimeSpan.FromMinutes(5), "demo", "--people", "400", "--data", temp.Combine("data"), "--out", temp.Combine("out"));

        code.Should().Be(0, stderr);
        stdout.Should().Contain("records in").And.Contain("estimated people").And.Contain("comparisons scored").And.Contain("time per stage").And.Contain("catalogue");
        var summary = JsonDocument.Parse(stdout.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('{'))).RootElement;
        summary.GetProperty("recordsIn").GetInt64().Should().BeGreaterThan(400);
        summary.GetProperty("estimatedPeople").GetInt64().Should().BeGreaterThan(100);

        var version = Directory.GetDirectories(temp.Combine("out")).Should().ContainSingle().Subject;
        var files = Directory.GetFiles(version);
        files.Select(Path.GetFileName).Should().Contain(["catalogue.json", "manifest.json", "magistrates.csv", "linking.csv"]);

        var extracts = Directory.GetDirectories(temp.Combine("data", "generated")).Single();
        var scanner = IdentifierScanner.FromExtracts(extracts, ProfileCatalog.LoadBuiltIn());
        scanner.Identifiers.Should().HaveCountGreaterThan(500);
        files.SelectMany(f => scanner.Scan(Path.GetFileName(f), File.ReadAllText(f))).Should().BeEmpty();
    }
}

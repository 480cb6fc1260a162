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

        // The blocking analysis, per rule: the prediction rules' new pairs add up to the comparisons scored.
        var blocking = summary.GetProperty("blocking").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        blocking.Keys.Should().Contain(["prediction-0", "training-0"]);
        blocking.Where(kv => kv.Key.StartsWith("prediction-", StringComparison.Ordinal)).Sum(kv => kv.Value).Should().Be(summary.GetProperty("comparisons").GetInt64());
        stdout.Should().Contain("pairs of surname & date_of_birth, largest block");

        var version = Directory.GetDirectories(temp.Combine("out")).Should().ContainSingle().Subject;
        var files = Directory.GetFiles(version);
        files.Select(Path.GetFileName).Should().Contain(["catalogue.json", "manifest.json", "magistrates.csv", "linking.csv"]);

        var extracts = Directory.GetDirectories(temp.Combine("data", "generated")).Single();
        var scanner = IdentifierScanner.FromExtracts(extracts, ProfileCatalog.LoadBuiltIn());
        scanner.Identifiers.Should().HaveCountGreaterThan(500);
        files.SelectMany(f => scanner.Scan(Path.GetFileName(f), File.ReadAllText(f))).Should().BeEmpty();
    }
}

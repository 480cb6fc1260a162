using System.Text.Json;
using DataFirst.Cli.Hosting;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Synthetic;
using DataFirst.Storage.Embedded;

namespace DataFirst.Cli.Tests;

/// <summary>
/// `run --instance-id` of a run that exists resumes the request it started with; options given now that differ from it
/// are refused (they would be ignored), before anything is uploaded over the run's extracts.
/// </summary>
public sealed class RunResumeOptionsTests
{
    [Fact]
    public async Task ResumeWithAnotherExtract_IsRefusedNamingEachOption_AndUploadsNothing_ThenTheRunsOwnOptionsResumeIt()
    {
        using var temp = new TempFolder();
        await new ExtractGenerator().GenerateAsync(
            new GeneratorOptions { People = 400, Seed = 3, Datasets = ["magistrates", "crown_court"] }, temp.Combine("x"), CancellationToken.None);
        var crown = temp.Combine("x", "crown_court.csv");
        var magistrates = temp.Combine("x", "magistrates.csv");
        var data = temp.Combine("data");

        // Started with one extract; it fails at its first step (no key), so the run exists and is unfinished.
        var (code, _, _) = await Run("run", "--input", crown, "--data", data, "--share", "resume-s", "--instance-id", "r1");
        code.Should().Be(CliApp.ExitFailure);

        var (refused, _, error) = await Run("run", "--input", crown, "--input", magistrates, "--data", data, "--instance-id", "r1", "--partitions", "4");

        refused.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--input (the run: crown_court.csv; now: crown_court.csv, magistrates.csv)")
            .And.Contain("--partitions (the run: 8; now: 4)")
            .And.Contain("leave out --instance-id to start a new run");
        var blobs = new FileSystemBlobStore(Path.Combine(data, "blobs"));
        (await blobs.GetPropertiesAsync("extracts", "resume-s/magistrates.csv")).Should().BeNull("a refused resume uploads nothing");

        // The run's own extract, share left out: resumed under the run's share.
        KeyProviders.CreateLocalKeyIfMissing(Path.Combine(data, "keys"), "resume-s");
        var (resumed, stdout, stderr) = await Run("run", "--input", crown, "--data", data, "--instance-id", "r1");

        resumed.Should().Be(CliApp.ExitOk, stderr);
        var summary = JsonDocument.Parse(stdout.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        summary.GetProperty("share").GetString().Should().Be("resume-s");
        summary.GetProperty("runId").GetString().Should().Be("r1");
    }

    [Fact]
    public void Differences_OptionsLeftOutAreNotDifferences_OptionsGivenMustBeTheRunsOwn()
    {
        var started = new LinkageRunRequest
        {
            Share = "s",
            Extracts = [new ExtractReference("magistrates", "extracts/s/magistrates.csv"), new ExtractReference("prisons", "extracts/s/prisons.csv")],
            Settings = "extracts/s/settings.json",
            Version = "v1",
            RunDate = new DateOnly(2026, 11, 1),
            Partitions = 16,
        };
        RunResume.Given Given(string? share = null, string[]? inputs = null, string? settings = null, string? spec = null, string? version = null, string? runDate = null, int? partitions = null, bool keep = false) =>
            new(share, inputs ?? ["/in/prisons.csv", "/in/magistrates.csv"], settings, spec, null, version, runDate, partitions, keep);

        RunResume.Differences(started, Given()).Should().BeEmpty("the same files in another order, every other option left out");
        RunResume.Differences(started, Given(share: "s", settings: "/elsewhere/settings.json", version: "v1", runDate: "2026-11-01", partitions: 16)).Should().BeEmpty();

        RunResume.Differences(started, Given(share: "t")).Should().Equal("--share (the run: s; now: t)");
        RunResume.Differences(started, Given(inputs: ["/in/prisons.csv"])).Should().Equal("--input (the run: magistrates.csv, prisons.csv; now: prisons.csv)");
        RunResume.Differences(started, Given(settings: "/in/other.json")).Should().Equal("--settings (the run: settings.json; now: other.json)");
        RunResume.Differences(started, Given(spec: "/in/spec.json")).Should().Equal("--share-spec (the run: none; now: spec.json)");
        RunResume.Differences(started, Given(version: "v2", runDate: "2026-11-02", keep: true)).Should().Equal(
            "--version-name (the run: v1; now: v2)", "--run-date (the run: 2026-11-01; now: 2026-11-02)", "--keep-working (the run: not given; now: given)");
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

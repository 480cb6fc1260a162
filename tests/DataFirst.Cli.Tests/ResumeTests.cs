using System.Text.Json;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Storage;
using DataFirst.Core.Synthetic;
using DataFirst.Core.Workflow;
using DataFirst.Storage.Embedded;
using Xunit.Abstractions;

namespace DataFirst.Cli.Tests;

/// <summary>
/// A run killed for real (a separate process, SIGKILL) resumes from its history: no completed
/// activity runs again, and the published share is byte-identical to an uninterrupted run's.
/// </summary>
public sealed class ResumeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_KilledMidWay_ResumesWithoutRepeatingWork_AndPublishesIdenticalFiles()
    {
        using var temp = new TempFolder();
        await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 3000, Seed = 9 }, temp.Combine("extracts"), CancellationToken.None);
        var inputs = Directory.GetFiles(temp.Combine("extracts"), "*.csv").Order(StringComparer.Ordinal).SelectMany(f => new[] { "--input", f }).ToArray();
        var environment = TestKeys.For("local");
        string[] Args(string data) => ["run", .. inputs, "--data", data, "--instance-id", "resume-run", "--run-date", "2026-11-01", "--version-name", "v1", "--partitions", "24"];

        // 1. Start, wait until some activities have completed, kill the process.
        var interrupted = temp.Combine("interrupted");
        using (var first = CliProcess.Start(temp.Path, environment, Args(interrupted)))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (await HistoryCountAsync(interrupted) < 12)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, $"the run should record activity results; stdout:\n{first.StandardOutput}\nstderr:\n{first.StandardError}");
                await Task.Delay(5);
            }

            first.Kill();
        }

        var completedBeforeKill = await HistoryCountAsync(interrupted);
        var state = await InstanceStatusAsync(interrupted);
        state.Should().Be(nameof(WorkflowStatus.Running), "the kill must interrupt the run (it cannot have finished)");

        // 2. Restart the same run: it replays the history and finishes.
        var (code, stdout, stderr) = await RunAsync(temp.Path, environment, Args(interrupted));
        code.Should().Be(0, stderr);
        var resumed = LastJson(stdout);
        output.WriteLine($"killed after {completedBeforeKill} completed activities; resume replayed {resumed.GetProperty("activitiesReplayed").GetInt32()}, executed {resumed.GetProperty("activitiesExecuted").GetInt32()}");
        resumed.GetProperty("activitiesReplayed").GetInt32().Should().Be(completedBeforeKill, "every completed activity comes from the history");
        resumed.GetProperty("activitiesExecuted").GetInt32().Should().BeGreaterThan(0);

        // 3. The same run, uninterrupted, in another folder.
        var clean = temp.Combine("uninterrupted");
        var (code2, stdout2, stderr2) = await RunAsync(temp.Path, environment, Args(clean));
        code2.Should().Be(0, stderr2);
        var total = LastJson(stdout2).GetProperty("activitiesExecuted").GetInt32();
        (resumed.GetProperty("activitiesReplayed").GetInt32() + resumed.GetProperty("activitiesExecuted").GetInt32()).Should().Be(total);

        var a = await PublishedAsync(interrupted);
        var b = await PublishedAsync(clean);
        a.Keys.Should().BeEquivalentTo(b.Keys);
        a.Keys.Should().Contain("manifest.json");
        foreach (var (name, bytes) in a)
        {
            bytes.Should().Equal(b[name], $"{name} must be byte-identical to the uninterrupted run's");
        }
    }

    [Fact]
    public async Task Run_Interrupted_SaysHowToResume_AndTheResumeCompletes()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGINT is a POSIX signal; Windows' Ctrl-C goes through the console
        }

        using var temp = new TempFolder();
        await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 3000, Seed = 5 }, temp.Combine("extracts"), CancellationToken.None);
        var inputs = Directory.GetFiles(temp.Combine("extracts"), "*.csv").Order(StringComparer.Ordinal).SelectMany(f => new[] { "--input", f }).ToArray();
        var environment = TestKeys.For("local");
        var data = temp.Combine("data");
        string[] args = ["run", .. inputs, "--data", data, "--instance-id", "resume-run", "--partitions", "24"];

        int code;
        string stderr;
        using (var first = CliProcess.Start(temp.Path, environment, args))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (await HistoryCountAsync(data) < 3)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, $"the run should record activity results; stderr:\n{first.StandardError}");
                await Task.Delay(5);
            }

            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            code = await first.WaitAsync(TimeSpan.FromMinutes(1));
            stderr = first.StandardError;
        }

        code.Should().NotBe(0);
        stderr.Should().Contain("run resume-run interrupted; resume it with --instance-id resume-run", "Ctrl-C must not end a run silently");
        var (resumed, _, resumeErr) = await RunAsync(temp.Path, environment, args);
        resumed.Should().Be(0, resumeErr);
    }

    private static async Task<(int, string, string)> RunAsync(string dir, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        using var process = CliProcess.Start(dir, environment, args);
        var code = await process.WaitAsync(TimeSpan.FromMinutes(5));
        return (code, process.StandardOutput, process.StandardError);
    }

    private static JsonElement LastJson(string stdout) =>
        JsonDocument.Parse(stdout.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('{'))).RootElement;

    private static async Task<int> HistoryCountAsync(string data)
    {
        if (!File.Exists(Path.Combine(data, "tables.db")))
        {
            return 0;
        }

        using var tables = new SqliteTableStore(Path.Combine(data, "tables.db"));
        try
        {
            var count = 0;
            string? token = null;
            do
            {
                var page = await tables.QueryAsync(LocalWorkflowOptions.HistoryTable, "resume-run", null, token);
                count += page.Items.Count;
                token = page.ContinuationToken;
            }
            while (token is not null);
            return count;
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            return 0;
        }
    }

    private static async Task<string?> InstanceStatusAsync(string data)
    {
        using var tables = new SqliteTableStore(Path.Combine(data, "tables.db"));
        return (await tables.GetAsync(LocalWorkflowOptions.InstancesTable, "instances", "resume-run"))?.GetString("Status");
    }

    private static async Task<Dictionary<string, byte[]>> PublishedAsync(string data)
    {
        var blobs = new FileSystemBlobStore(Path.Combine(data, "blobs"));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (var blob in blobs.ListAllAsync("srs-transfer", "local/v1/"))
        {
            files[blob.Name["local/v1/".Length..]] = await blobs.DownloadBytesAsync("srs-transfer", blob.Name);
        }

        return files;
    }
}

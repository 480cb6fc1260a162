using System.Diagnostics;
using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tests.Support;

namespace DataFirst.Storage.Tests.Embedded;

/// <summary>
/// The embedded stores shared by several OS processes (this test assembly run as children, see
/// <see cref="ChildProcessProgram"/>): create-only is atomic and optimistic updates lose nothing.
/// </summary>
public sealed class CrossProcessTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task UploadAsync_CreateOnlyFromSeveralProcesses_ExactlyOneWins()
    {
        var blobs = Path.Combine(_root.Path, "blobs");
        await new FileSystemBlobStore(blobs).CreateContainerIfNotExistsAsync("shared");

        var outputs = await RunChildrenAsync(4, i => ["blob-create-only", GoFile, blobs, "shared", "receipts/extract.csv", $"writer-{i}"]);

        outputs.Count(o => o == "WON").Should().Be(1, string.Join(" | ", outputs));
        outputs.Count(o => o == "CONFLICT").Should().Be(3);
        var winner = System.Text.Encoding.UTF8.GetString(await new FileSystemBlobStore(blobs).DownloadBytesAsync("shared", "receipts/extract.csv"));
        winner.Should().StartWith("writer-");
    }

    [Fact]
    public async Task UpdateAsync_OptimisticIncrementsFromSeveralProcesses_LoseNoUpdate()
    {
        var database = Path.Combine(_root.Path, "tables.db");
        using (var store = new SqliteTableStore(database))
        {
            await store.CreateTableIfNotExistsAsync("Counters");
            await store.AddAsync("Counters", new TableEntity("counter", "c") { Properties = new Dictionary<string, object?> { ["Value"] = 0L } });
        }

        var outputs = await RunChildrenAsync(3, _ => ["table-increment", GoFile, database, "Counters", "20"]);

        outputs.Should().OnlyContain(o => o.StartsWith("DONE", StringComparison.Ordinal), string.Join(" | ", outputs));
        using var reader = new SqliteTableStore(database);
        (await reader.GetAsync("Counters", "counter", "c"))!.GetInt64("Value").Should().Be(60);
    }

    [Fact]
    public async Task Constructor_UploadFileOfAKilledProcess_IsRemoved_ButNotWhileThatProcessLives()
    {
        var blobs = Path.Combine(_root.Path, "blobs");
        await new FileSystemBlobStore(blobs).CreateContainerIfNotExistsAsync("working");
        var tempDir = Path.Combine(blobs, "working", ".tmp");
        await File.WriteAllTextAsync(GoFile, "go");
        using var child = StartChild(["blob-upload-hang", GoFile, blobs, "working", "run1/records/part-0.csv"]);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            (await child.StandardOutput.ReadLineAsync(timeout.Token)).Should().Be("WRITING", await ErrorsIfExitedAsync(child));
            var uploadFile = Directory.EnumerateFiles(tempDir).Should().ContainSingle().Subject;

            // Another process (a serve host, a resumed run) opens the folder while the upload is written: it is kept.
            new FileSystemBlobStore(blobs).RemoveAbandonedUploads().Should().Be(0);
            File.Exists(uploadFile).Should().BeTrue();

            // SIGKILL: the upload's finally never runs and its partial file stays, until the next store is opened.
            child.Kill();
            await child.WaitForExitAsync(timeout.Token);
            File.Exists(uploadFile).Should().BeTrue();

            var reopened = new FileSystemBlobStore(blobs);

            Directory.EnumerateFiles(tempDir).Should().BeEmpty();
            (await reopened.GetPropertiesAsync("working", "run1/records/part-0.csv")).Should().BeNull();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ErrorsIfExitedAsync(Process child) => child.HasExited ? await child.StandardError.ReadToEndAsync() : "";

    private string GoFile => Path.Combine(_root.Path, "go");

    private static Process StartChild(string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcessProgram).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<List<string>> RunChildrenAsync(int count, Func<int, string[]> arguments)
    {
        var assembly = typeof(ChildProcessProgram).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var processes = new List<Process>();
        string? goFile = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var args = arguments(i);
                goFile = args[1];
                var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add("exec");
                start.ArgumentList.Add(assembly);
                foreach (var arg in args)
                {
                    start.ArgumentList.Add(arg);
                }

                processes.Add(Process.Start(start)!);
            }

            // Let every child start and reach the barrier, then release them together.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await File.WriteAllTextAsync(goFile!, "go");
            var results = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            foreach (var process in processes)
            {
                var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                process.ExitCode.Should().Be(0, await stderr);
                results.Add((await stdout).Trim());
            }

            return results;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }
}

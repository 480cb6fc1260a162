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

    private string GoFile => Path.Combine(_root.Path, "go");

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

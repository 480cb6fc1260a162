using DataFirst.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Core.Workflow;
using Spectre.Console;

namespace DataFirst.Cli.Hosting;

/// <summary>Uploads local extracts, runs a linkage run to its end in this process with progress, and reports.</summary>
internal static class RunExecution
{
    /// <summary>Uploads each file to extracts/{share}/{file name}; returns the extract references.</summary>
    public static async Task<IReadOnlyList<ExtractReference>> UploadExtractsAsync(PipelineHost host, string share, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var result = new List<ExtractReference>();
        foreach (var file in files)
        {
            var blob = await UploadFileAsync(host, share, file, "text/csv", cancellationToken).ConfigureAwait(false);
            result.Add(new ExtractReference(Path.GetFileNameWithoutExtension(file).ToLowerInvariant(), blob));
        }

        return result;
    }

    /// <summary>Uploads a local file to extracts/{share}/{file name}; returns its blob reference.</summary>
    public static async Task<string> UploadFileAsync(PipelineHost host, string share, string file, string? contentType, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        var blob = ExtractBlob(share, file);
        var (container, name) = BlobRef.Split(blob);
        await host.Storage.Blobs.UploadAsync(container, name, stream, new BlobUploadOptions { ContentType = contentType }, cancellationToken).ConfigureAwait(false);
        return blob;
    }

    /// <summary>Where <see cref="UploadFileAsync"/> puts <paramref name="file"/>: extracts/{share}/{file name}.</summary>
    public static string ExtractBlob(string share, string file) => $"{PipelineServices.ExtractsContainer}/{share}/{Path.GetFileName(file)}";

    /// <summary>Runs (or resumes) the instance to its end, showing the orchestrator's custom status.</summary>
    public static async Task<(WorkflowInstanceState State, WorkflowExecutionStats Stats)> RunWithProgressAsync(PipelineHost host, LinkageRunRequest request, string instanceId, TextWriter output, CancellationToken cancellationToken)
    {
        await host.Runner.CreateInstanceAsync(LinkageRunOrchestrator.Name, instanceId, request, cancellationToken).ConfigureAwait(false);
        var interactive = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            string? last = null;
            host.Runner.CustomStatusChanged += (id, status) =>
            {
                var text = status?.ToString();
                if (id == instanceId && text is not null && status is RunProgress p && (p.Done == 0 || p.Done == p.Total) && text != last)
                {
                    last = text;
                    lock (output)
                    {
                        output.WriteLine($"  {text}");
                    }
                }
            };
            return await host.Runner.RunAsync(instanceId, cancellationToken).ConfigureAwait(false);
        }

        (WorkflowInstanceState, WorkflowExecutionStats) result = default;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                host.Runner.CustomStatusChanged += (id, status) =>
                {
                    if (id != instanceId || status is not RunProgress p)
                    {
                        return;
                    }

                    lock (tasks)
                    {
                        foreach (var other in tasks.Where(t => t.Key != p.Stage && !t.Value.IsFinished))
                        {
                            other.Value.Value = other.Value.MaxValue;
                        }

                        if (!tasks.TryGetValue(p.Stage, out var task))
                        {
                            tasks[p.Stage] = task = progress.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                        }

                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Total <= 1 && p.Stage == "completed" ? 1 : p.Done;
                    }
                };
                result = await host.Runner.RunAsync(instanceId, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Copies a published share (srs-transfer/{share}/{version}/...) to a local folder; returns the files.</summary>
    public static async Task<IReadOnlyList<string>> ExportShareAsync(PipelineHost host, string publishedTo, string folder, CancellationToken cancellationToken)
    {
        var (container, prefix) = BlobRef.Split(publishedTo.TrimEnd('/') + "/");
        var files = new List<string>();
        await foreach (var blob in host.Storage.Blobs.ListAllAsync(container, prefix, cancellationToken).ConfigureAwait(false))
        {
            var relative = blob.Name[prefix.Length..];
            var path = Path.GetFullPath(Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar)));
            if (!path.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var source = await host.Storage.Blobs.OpenReadAsync(container, blob.Name, cancellationToken).ConfigureAwait(false);
            await using var target = File.Create(path);
            await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            files.Add(path);
        }

        return files;
    }
}

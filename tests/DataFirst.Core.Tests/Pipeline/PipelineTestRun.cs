using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Core.Synthetic;
using DataFirst.Core.Workflow;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Core.Tests.Pipeline;

/// <summary>Generated justice extracts run through the real orchestrator and activities on in-memory storage.</summary>
internal sealed class PipelineTestRun : IDisposable
{
    private PipelineTestRun(string folder, InMemoryBlobStore blobs, InMemoryTableStore tables, PipelineServices services, LocalWorkflowRunner runner)
    {
        Folder = folder;
        Blobs = blobs;
        Tables = tables;
        Services = services;
        Runner = runner;
    }

    public string Folder { get; }

    public string ExtractsFolder => Path.Combine(Folder, "extracts");

    public InMemoryBlobStore Blobs { get; }

    public InMemoryTableStore Tables { get; }

    public PipelineServices Services { get; }

    public LocalWorkflowRunner Runner { get; }

    public static async Task<PipelineTestRun> CreateAsync(int people, int seed, BadInputOptions? badInput = null, IPseudonymKeyProvider? keyProvider = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "datafirst-pipeline-tests", Guid.NewGuid().ToString("N"));
        await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = people, Seed = seed, BadInput = badInput ?? BadInputOptions.None }, Path.Combine(folder, "extracts"), CancellationToken.None);
        var blobs = new InMemoryBlobStore();
        var tables = new InMemoryTableStore();
        var keys = keyProvider ?? new ConfigurationPseudonymKeyProvider(new Dictionary<string, string> { ["test"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, _ => null);
        var services = new PipelineServices(blobs, tables, keys, NullLoggerFactory.Instance);
        await services.EnsureContainersAsync(CancellationToken.None);
        var (activities, orchestrators) = PipelineWorkflows.Create(services);
        var runner = new LocalWorkflowRunner(tables, blobs, activities, orchestrators, NullLoggerFactory.Instance, new LocalWorkflowOptions { DefaultRetry = new ActivityRetryPolicy(1, TimeSpan.Zero) });
        return new PipelineTestRun(folder, blobs, tables, services, runner);
    }

    /// <summary>Uploads every generated extract (not the truth) and returns a run request for them.</summary>
    public async Task<LinkageRunRequest> UploadAsync(string share, string version, IEnumerable<string>? only = null)
    {
        var extracts = new List<ExtractReference>();
        foreach (var file in Directory.GetFiles(ExtractsFolder, "*.csv").Order(StringComparer.Ordinal))
        {
            var dataset = Path.GetFileNameWithoutExtension(file);
            if (only is not null && !only.Contains(dataset))
            {
                continue;
            }

            await using var stream = File.OpenRead(file);
            await Blobs.UploadAsync("extracts", $"{share}/{dataset}.csv", stream);
            extracts.Add(new ExtractReference(dataset, $"extracts/{share}/{dataset}.csv"));
        }

        return new LinkageRunRequest { Share = share, Version = version, Extracts = extracts, KeyId = "test", RunDate = new DateOnly(2026, 11, 1), Partitions = 4 };
    }

    public async Task<(WorkflowInstanceState State, LinkageRunResult? Result)> RunAsync(LinkageRunRequest request, string instanceId)
    {
        await Runner.CreateInstanceAsync(LinkageRunOrchestrator.Name, instanceId, request);
        var (state, _) = await Runner.RunAsync(instanceId);
        var result = state.Output is { } o ? WorkflowJson.Deserialize<LinkageRunResult>(o.GetRawText()) : null;
        return (state, result);
    }

    /// <summary>Every published file of a share version: name → text.</summary>
    public async Task<Dictionary<string, string>> PublishedFilesAsync(string share, string version)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in Blobs.ListAllAsync("srs-transfer", $"{share}/{version}/"))
        {
            files[blob.Name[$"{share}/{version}/".Length..]] = Encoding.UTF8.GetString(await Blobs.DownloadBytesAsync("srs-transfer", blob.Name));
        }

        return files;
    }

    public string ReadExtract(string name) => File.ReadAllText(Path.Combine(ExtractsFolder, name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

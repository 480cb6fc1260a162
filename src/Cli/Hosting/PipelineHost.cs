using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;
using DataFirst.Storage;
using Microsoft.Extensions.Logging;

namespace DataFirst.Cli.Hosting;

/// <summary>Storage, the pipeline's activities and the local durable runner, wired for one process.</summary>
internal sealed class PipelineHost : IDisposable
{
    private PipelineHost(StorageAdapters storage, PipelineServices services, LocalWorkflowRunner runner)
    {
        Storage = storage;
        Services = services;
        Runner = runner;
        Runs = new LocalRunService(runner, TimeProvider.System);
    }

    public StorageAdapters Storage { get; }

    public PipelineServices Services { get; }

    public LocalWorkflowRunner Runner { get; }

    public LocalRunService Runs { get; }

    /// <summary>
    /// <paramref name="storage"/>: null → embedded under <paramref name="dataDirectory"/>; a connection
    /// string (contains '=') → Azure / Azurite; an https URL → token auth (DefaultAzureCredential).
    /// <paramref name="parallelActivities"/>: activities run at once (null: one per core).
    /// </summary>
    public static async Task<PipelineHost> OpenAsync(string? storage, string dataDirectory, ILoggerFactory loggerFactory, CancellationToken cancellationToken, int? parallelActivities = null)
    {
        var options = ParseStorage(storage, dataDirectory);
        var adapters = StorageFactory.Create(options);
        var keys = new KeyProviders.LocalKeyProvider(Path.Combine(dataDirectory, "keys"));
        var services = new PipelineServices(adapters.Blobs, adapters.Tables, keys, loggerFactory);
        await services.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);
        var (activities, orchestrators) = PipelineWorkflows.Create(services);
        var workflow = parallelActivities is { } n ? new LocalWorkflowOptions { MaxParallelActivities = n } : null;
        var runner = new LocalWorkflowRunner(adapters.Tables, adapters.Blobs, activities, orchestrators, loggerFactory, workflow);
        return new PipelineHost(adapters, services, runner);
    }

    public static StorageOptions ParseStorage(string? storage, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(storage))
        {
            return new StorageOptions { DataDirectory = dataDirectory };
        }

        if (storage.Contains('=', StringComparison.Ordinal))
        {
            return new StorageOptions { ConnectionString = storage };
        }

        if (Uri.TryCreate(storage, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            return new StorageOptions { BlobServiceUri = uri };
        }

        throw new CliUsageException("--storage: expected a connection string (e.g. UseDevelopmentStorage=true) or an account blob URL (https://ACCOUNT.blob.core.windows.net); omit it for embedded storage under --data.");
    }

    public void Dispose() => Storage.Dispose();
}

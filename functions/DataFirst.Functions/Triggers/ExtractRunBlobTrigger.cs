using Azure.Storage.Blobs;
using DataFirst.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataFirst.Functions.Triggers;

/// <summary>
/// extracts/{share}/_run.json uploaded (Event Grid BlobCreated, required on Flex Consumption) →
/// one run per blob version: the instance id is derived from the blob name and ETag.
/// Connection "DataFirstStorage": DataFirstStorage__blobServiceUri/__queueServiceUri in Azure
/// (managed identity), a connection string locally.
/// </summary>
public sealed partial class ExtractRunBlobTrigger(ILogger<ExtractRunBlobTrigger> logger)
{
    public const string Connection = "DataFirstStorage";

    [Function(nameof(ExtractRunBlobTrigger))]
    public async Task RunAsync(
        [BlobTrigger("extracts/{share}/_run.json", Source = BlobTriggerSource.EventGrid, Connection = Connection)] BlobClient manifest,
        string share,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var download = (await manifest.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        var instanceId = RunInstanceIds.FromBlob(manifest.Name, download.Details.ETag.ToString());
        LinkageRunRequest request;
        try { request = RunRequestParser.ParseManifest(share, download.Content.ToString()); }
        catch (RunRequestException ex) { Log.ManifestRejected(logger, share, ex.JsonPath, ex.Message); return; } // retrying cannot fix it
        var started = await RunStarter.StartOnceAsync(client, instanceId, request, cancellationToken).ConfigureAwait(false);
        Log.ManifestHandled(logger, instanceId, share, started);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Run manifest for share {Share}: instance {InstanceId}, newly scheduled {Started}")]
        public static partial void ManifestHandled(ILogger logger, string instanceId, string share, bool started);

        [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Run manifest extracts/{Share}/_run.json rejected at {JsonPath}: {Reason}. Fix it and upload it again.")]
        public static partial void ManifestRejected(ILogger logger, string share, string jsonPath, string reason);
    }
}

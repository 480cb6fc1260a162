using System.Text;
using DataFirst.Core.Storage;
using DataFirst.Core.Workflow;
using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Pipeline;

/// <summary>
/// Starts a run when a run manifest <c>extracts/{share}/_run.json</c> appears. The instance id is
/// derived from the blob name and ETag and recorded in the Receipts table, so the same upload
/// never starts two runs, also across restarts. A manifest that cannot be parsed is recorded as
/// rejected, with the reason copied to the quarantine container.
/// </summary>
public sealed partial class ExtractsWatcher(IBlobStore blobs, ITableStore tables, IRunStarter starter, ILogger<ExtractsWatcher> logger)
{
    public const string ReceiptsTable = "Receipts";
    public const string QuarantineContainer = "quarantine";

    /// <summary>Looks once for new manifests; returns the instance ids it started.</summary>
    public async Task<IReadOnlyList<string>> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        await blobs.CreateContainerIfNotExistsAsync(RunRequestParser.ExtractsContainer, cancellationToken).ConfigureAwait(false);
        await tables.CreateTableIfNotExistsAsync(ReceiptsTable, cancellationToken).ConfigureAwait(false);
        var started = new List<string>();
        await foreach (var blob in blobs.ListAllAsync(RunRequestParser.ExtractsContainer, null, cancellationToken).ConfigureAwait(false))
        {
            var share = RunRequestParser.ShareOfManifest(blob.Name);
            if (share is null)
            {
                continue;
            }

            var instanceId = RunInstanceIds.FromBlob(blob.Name, blob.ETag);
            if (await tables.GetAsync(ReceiptsTable, share, instanceId, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var outcome = await StartAsync(share, blob, instanceId, cancellationToken).ConfigureAwait(false);
            var receipt = new TableEntity(share, instanceId)
            {
                Properties = new Dictionary<string, object?>
                {
                    ["Blob"] = blob.Name,
                    ["ETag"] = blob.ETag,
                    ["Outcome"] = outcome,
                    ["ReceivedUtc"] = DateTimeOffset.UtcNow,
                },
            };
            try
            {
                await tables.AddAsync(ReceiptsTable, receipt, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
            {
                continue; // another watcher got there first
            }

            if (outcome == "started")
            {
                started.Add(instanceId);
            }
        }

        return started;
    }

    /// <summary>Polls until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var started = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                foreach (var id in started)
                {
                    Log.RunStarted(logger, id);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PollFailed(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<string> StartAsync(string share, BlobItemInfo blob, string instanceId, CancellationToken cancellationToken)
    {
        string json;
        LinkageRunRequest request;
        try
        {
            json = Encoding.UTF8.GetString(await blobs.DownloadBytesAsync(RunRequestParser.ExtractsContainer, blob.Name, cancellationToken).ConfigureAwait(false));
            request = RunRequestParser.ParseManifest(share, json);
        }
        catch (RunRequestException ex)
        {
            Log.ManifestRejected(logger, blob.Name, ex.JsonPath);
            await blobs.CreateContainerIfNotExistsAsync(QuarantineContainer, cancellationToken).ConfigureAwait(false);
            await blobs.UploadBytesAsync(
                QuarantineContainer,
                BlobNames.Combine("manifests", share, $"{instanceId}.reason.txt"),
                Encoding.UTF8.GetBytes($"{RunRequestParser.ExtractsContainer}/{blob.Name} (ETag {blob.ETag}) rejected: {ex.Message}\n"),
                null,
                cancellationToken).ConfigureAwait(false);
            return "rejected: " + ex.Message;
        }

        await starter.StartAsync(request, instanceId, cancellationToken).ConfigureAwait(false);
        return "started";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Run manifest started run {InstanceId}")]
        public static partial void RunStarted(ILogger logger, string instanceId);

        [LoggerMessage(2, LogLevel.Warning, "Run manifest {Blob} rejected at {JsonPath}")]
        public static partial void ManifestRejected(ILogger logger, string blob, string jsonPath);

        [LoggerMessage(3, LogLevel.Error, "Extracts watcher poll failed ({ExceptionType}: {Message})")]
        public static partial void PollFailed(ILogger logger, string exceptionType, string message);
    }
}

/// <summary>Starts a linkage run under a given instance id (the local runner, or Durable Functions).</summary>
public interface IRunStarter
{
    Task StartAsync(LinkageRunRequest request, string instanceId, CancellationToken cancellationToken);
}

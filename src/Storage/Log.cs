using Microsoft.Extensions.Logging;

namespace DataFirst.Storage;

/// <summary>Storage log messages: containers, blob names, sizes, counts and timings, never content or keys.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Uploaded blob {Container}/{Blob}: {Bytes} bytes in {ElapsedMs} ms ({Adapter})")]
    public static partial void BlobUploaded(ILogger logger, string container, string blob, long bytes, long elapsedMs, string adapter);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Storage: {Mode} adapters ({Blobs}, {Tables})")]
    public static partial void AdaptersCreated(ILogger logger, StorageMode mode, string blobs, string tables);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Removed {Files} abandoned upload file(s) ({Bytes} bytes) from {Container}/.tmp")]
    public static partial void AbandonedUploadsRemoved(ILogger logger, string container, int files, long bytes);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "File locking is turned off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING): abandoned upload files in {Root} are not removed, since a live upload cannot be told from a dead one")]
    public static partial void AbandonedUploadsKept(ILogger logger, string root);
}

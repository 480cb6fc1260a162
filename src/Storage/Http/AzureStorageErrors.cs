using Azure;
using DataFirst.Core.Storage;

namespace DataFirst.Storage.Http;

/// <summary>Translates Azure errors into the ports' <see cref="StorageException"/> with the same kinds as the embedded adapters.</summary>
internal static class AzureStorageErrors
{
    public static StorageErrorKind KindOf(int status, string? errorCode) => status switch
    {
        404 => StorageErrorKind.NotFound,
        409 => StorageErrorKind.Conflict,
        412 => StorageErrorKind.PreconditionFailed,
        401 or 403 => StorageErrorKind.Unauthorized,
        400 when errorCode is "InvalidResourceName" or "InvalidUri" or "OutOfRangeInput" => StorageErrorKind.InvalidName,
        _ => StorageErrorKind.Other,
    };

    /// <summary>
    /// The message names the operation, resource, status and error code; the inner exception keeps
    /// Azure.Core's detail (headers there are already sanitised: no Authorization, no SAS).
    /// </summary>
    public static StorageException ToStorageException(RequestFailedException ex, string operation, string resource, StorageErrorKind? kind = null)
    {
        var resolved = kind ?? KindOf(ex.Status, ex.ErrorCode);
        var hint = resolved switch
        {
            StorageErrorKind.NotFound => " It does not exist.",
            StorageErrorKind.Conflict => " It already exists.",
            StorageErrorKind.PreconditionFailed => " Its ETag no longer matches: read it again and retry.",
            StorageErrorKind.Unauthorized => " Check the account key or the identity's role assignment (e.g. Storage Blob Data Contributor).",
            _ => string.Empty,
        };
        if (ex.Status == 0)
        {
            // No response at all: the transport's reason (connection refused, name not found) is the useful part.
            return new StorageException(resolved, 0, ex.ErrorCode, $"{operation} on '{resource}' failed: {ex.Message.TrimEnd('.')}.", ex);
        }

        return new StorageException(resolved, ex.Status, ex.ErrorCode, $"{operation} on '{resource}' failed: HTTP {ex.Status} {ex.ErrorCode ?? "(no error code)"}.{hint}", ex);
    }
}

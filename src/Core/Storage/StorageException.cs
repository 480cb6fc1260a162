namespace DataFirst.Core.Storage;

/// <summary>What went wrong, the same whatever the adapter.</summary>
public enum StorageErrorKind
{
    Other = 0,
    NotFound,
    Conflict,
    PreconditionFailed,
    InvalidName,
    Unauthorized,
}

/// <summary>
/// A storage failure seen through the ports. Carries the HTTP status and the service's error code
/// (Azure's x-ms-error-code, or an equivalent code from the embedded adapters). Never carries a
/// key, SAS token, connection string or blob content.
/// </summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorKind kind, int status, string? errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Status = status;
        ErrorCode = errorCode;
    }

    public StorageErrorKind Kind { get; }

    public int Status { get; }

    public string? ErrorCode { get; }
}

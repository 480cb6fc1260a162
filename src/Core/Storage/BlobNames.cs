namespace DataFirst.Core.Storage;

/// <summary>Blob name rules shared by every adapter: relative, no traversal, within Azure's limits.</summary>
public static class BlobNames
{
    public const int MaxLength = 1024;

    public static void Validate(string name)
    {
        string? problem = name switch
        {
            null or "" => "is empty",
            { Length: > MaxLength } => $"is longer than {MaxLength} characters",
            _ when name.StartsWith('/') || name.StartsWith('\\') => "starts with '/'",
            _ when name.Split('/', '\\').Any(s => s is ".." or ".") => "contains a '.' or '..' path segment",
            _ when name.Split('/').Any(s => s.Length == 0) => "contains an empty path segment ('//')",
            _ when name.EndsWith('.') => "ends with '.'",
            _ when name.Any(char.IsControl) => "contains a control character",
            _ => null,
        };
        if (problem is not null)
        {
            throw new StorageException(StorageErrorKind.InvalidName, 400, "InvalidBlobName", $"Blob name {problem}; use a relative name like 'share/2026-11/file.csv'.");
        }
    }

    /// <summary>Joins segments with '/'.</summary>
    public static string Combine(params string[] segments) => string.Join('/', segments.Select(s => s.Trim('/')).Where(s => s.Length > 0));
}

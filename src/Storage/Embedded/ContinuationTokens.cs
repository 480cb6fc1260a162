using System.Text;
using DataFirst.Core.Storage;

namespace DataFirst.Storage.Embedded;

/// <summary>Continuation tokens of the embedded adapters: the last key returned, base64-encoded (opaque to callers).</summary>
internal static class ContinuationTokens
{
    public static string Encode(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastKey));

    /// <summary>The key to continue after, or null for the first page; a foreign token is a clear error.</summary>
    public static string? Decode(string? token, string store)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException ex)
        {
            throw new StorageException(StorageErrorKind.Other, 400, "InvalidContinuationToken", $"The continuation token was not produced by this {store}. Start again without a token.", ex);
        }
    }
}

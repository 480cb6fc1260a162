using System.Security.Cryptography;
using System.Text;

namespace DataFirst.Storage;

/// <summary>
/// An account name and key for Shared Key auth. The key is kept only as bytes and is never
/// shown by <see cref="ToString"/>, logs or exceptions.
/// </summary>
public sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            // Deliberately no inner exception and no value: the key must not leak.
            throw new ArgumentException($"The account key of storage account '{accountName}' is not valid base64. Copy it again from the portal (Access keys) or the connection string.", nameof(accountKey));
        }
    }

    public string AccountName { get; }

    /// <summary>Base64 HMAC-SHA256 of <paramref name="stringToSign"/> with the account key.</summary>
    internal string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"StorageSharedKeyCredential(AccountName = {AccountName}, AccountKey = ***)";
}

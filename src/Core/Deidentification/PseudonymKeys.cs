using System.Text.RegularExpressions;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Supplies the secret key of a share's pseudonyms by key id. The configuration implementation is
/// <see cref="ConfigurationPseudonymKeyProvider"/>; a Key Vault implementation lives with the host.
/// </summary>
public interface IPseudonymKeyProvider
{
    Task<PseudonymKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>A secret HMAC key. Its <see cref="ToString"/> never shows the key bytes.</summary>
public sealed class PseudonymKey
{
    public const int MinimumLength = 32;

    private readonly byte[] _bytes;

    public PseudonymKey(string keyId, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < MinimumLength)
        {
            throw new PseudonymKeyException($"Pseudonym key '{keyId}' is {bytes.Length} bytes; at least {MinimumLength} random bytes are required. Generate one with: openssl rand -base64 32");
        }

        KeyId = keyId;
        _bytes = bytes.ToArray();
    }

    public string KeyId { get; }

    public int Length => _bytes.Length;

    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>
    /// A check value of the key (16 hex digits of an HMAC of a fixed label under it): equal for the same key, different
    /// for another, and useless for finding the key or any pseudonym. A run records it when it starts, and every step
    /// that pseudonymises checks it, so a run resumed with another key under the same id stops instead of writing
    /// pseudonyms that do not line up with those already written.
    /// </summary>
    public string Fingerprint() =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(_bytes, "DataFirst pseudonym key check v1"u8), 0, 8);

    public override string ToString() => $"PseudonymKey({KeyId}, {_bytes.Length} bytes)";
}

/// <summary>
/// Keys from configuration: a dictionary (key id → base64 key, e.g. bound from the host's
/// configuration) and, failing that, the environment variable <c>DATAFIRST_KEY_{KEYID}</c>
/// (key id upper-cased, '-' → '_'). Values are base64 of at least 32 random bytes
/// (<c>openssl rand -base64 32</c>). Errors name the key id and the variable, never the value.
/// </summary>
public sealed partial class ConfigurationPseudonymKeyProvider : IPseudonymKeyProvider
{
    private readonly IReadOnlyDictionary<string, string> _keys;
    private readonly Func<string, string?> _environment;

    public ConfigurationPseudonymKeyProvider(IReadOnlyDictionary<string, string>? keys = null, Func<string, string?>? environment = null)
    {
        _keys = keys ?? new Dictionary<string, string>();
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public static string EnvironmentVariableName(string keyId) => "DATAFIRST_KEY_" + keyId.ToUpperInvariant().Replace('-', '_');

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyIdPattern();

    public Task<PseudonymKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrEmpty(keyId) || !KeyIdPattern().IsMatch(keyId))
        {
            throw new PseudonymKeyException("Pseudonym key id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'; check the share spec's keyId.");
        }

        string? value;
        string origin;
        if (_keys.TryGetValue(keyId, out value))
        {
            origin = $"configuration entry '{keyId}'";
        }
        else
        {
            var variable = EnvironmentVariableName(keyId);
            value = _environment(variable);
            origin = $"environment variable {variable}";
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new PseudonymKeyException($"No pseudonym key '{keyId}': set {variable} (or the configuration entry '{keyId}') to base64 of at least {PseudonymKey.MinimumLength} random bytes, e.g. from: openssl rand -base64 32");
            }
        }

        var text = value.Trim();
        if (text.StartsWith("base64:", StringComparison.Ordinal))
        {
            text = text["base64:".Length..];
        }

        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            throw new PseudonymKeyException($"Pseudonym key '{keyId}' from {origin} is not valid base64; generate one with: openssl rand -base64 32");
        }

        try
        {
            if (written < PseudonymKey.MinimumLength)
            {
                throw new PseudonymKeyException($"Pseudonym key '{keyId}' from {origin} is {written} bytes; at least {PseudonymKey.MinimumLength} random bytes are required. Generate one with: openssl rand -base64 32");
            }

            return Task.FromResult(new PseudonymKey(keyId, buffer.AsSpan(0, written)));
        }
        finally
        {
            Array.Clear(buffer);
        }
    }
}

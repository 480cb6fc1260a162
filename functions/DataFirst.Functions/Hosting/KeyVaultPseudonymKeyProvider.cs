using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure;
using Azure.Security.KeyVault.Secrets;
using DataFirst.Core.Deidentification;
using Microsoft.Extensions.Logging;

namespace DataFirst.Functions.Hosting;

/// <summary>
/// Pseudonymisation keys from Key Vault: secret <c>pseudonymisation-key-{keyId}</c> holding base64 of
/// at least 32 random bytes (<c>openssl rand -base64 32</c>). Read with the app's managed identity
/// (Key Vault Secrets User); cached per key id for the life of the worker. Logs key ids only.
/// </summary>
public sealed partial class KeyVaultPseudonymKeyProvider(SecretClient secrets, ILogger<KeyVaultPseudonymKeyProvider> logger) : IPseudonymKeyProvider
{
    public const string SecretNamePrefix = "pseudonymisation-key-";

    private readonly ConcurrentDictionary<string, Lazy<Task<PseudonymKey>>> _keys = new(StringComparer.Ordinal);

    public static string SecretName(string keyId) => SecretNamePrefix + keyId;

    public Task<PseudonymKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(keyId) || !KeyVaultKeyId().IsMatch(keyId))
        {
            throw new PseudonymKeyException("Pseudonym key id must be 1-64 characters of A-Z, a-z, 0-9 or '-' to be stored in Key Vault; check the share spec's keyId.");
        }

        var lazy = _keys.GetOrAdd(keyId, id => new Lazy<Task<PseudonymKey>>(() => LoadAsync(id, CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _keys.TryRemove(new KeyValuePair<string, Lazy<Task<PseudonymKey>>>(keyId, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<PseudonymKey> LoadAsync(string keyId, CancellationToken cancellationToken)
    {
        var name = SecretName(keyId);
        KeyVaultSecret secret;
        try
        {
            secret = (await secrets.GetSecretAsync(name, version: null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new PseudonymKeyException($"No pseudonym key '{keyId}': add secret '{name}' to Key Vault {secrets.VaultUri} (base64 of at least {PseudonymKey.MinimumLength} random bytes, e.g. openssl rand -base64 32).");
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            throw new PseudonymKeyException($"The app may not read secret '{name}' in Key Vault {secrets.VaultUri}: grant its managed identity 'Key Vault Secrets User' (infra/bicep/modules/keyvault.bicep).");
        }

        // Same format and checks as configured keys; errors name the key id, never the value.
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { [keyId] = secret.Value };
        var key = await new ConfigurationPseudonymKeyProvider(values, _ => null).GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        Log.KeyLoaded(logger, keyId, secret.Properties.Version);
        return key;
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex KeyVaultKeyId();

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Loaded pseudonym key {KeyId} (secret version {SecretVersion}) from Key Vault")]
        public static partial void KeyLoaded(ILogger logger, string keyId, string? secretVersion);
    }
}

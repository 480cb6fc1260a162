using System.Security.Cryptography;
using DataFirst.Core.Deidentification;

namespace DataFirst.Cli.Hosting;

/// <summary>Pseudonymisation keys for local hosts: configuration (environment), then a local key file.</summary>
internal static class KeyProviders
{
    /// <summary>
    /// <c>DATAFIRST_KEY_{KEYID}</c> when set; otherwise <c>{keysDir}/{keyId}.key</c> (base64), a file
    /// in the local data folder that is never committed. Nothing here prints a key.
    /// </summary>
    internal sealed class LocalKeyProvider(string keysDirectory) : IPseudonymKeyProvider
    {
        public Task<PseudonymKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default)
        {
            var file = KeyFile(keysDirectory, keyId);
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConfigurationPseudonymKeyProvider.EnvironmentVariableName(keyId))) && File.Exists(file))
            {
                var keys = new Dictionary<string, string>(StringComparer.Ordinal) { [keyId] = File.ReadAllText(file).Trim() };
                return new ConfigurationPseudonymKeyProvider(keys, _ => null).GetKeyAsync(keyId, cancellationToken);
            }

            return new ConfigurationPseudonymKeyProvider().GetKeyAsync(keyId, cancellationToken);
        }
    }

    /// <summary>For the demo: makes a random local key for <paramref name="keyId"/> unless one exists.</summary>
    public static bool CreateLocalKeyIfMissing(string keysDirectory, string keyId)
    {
        var file = KeyFile(keysDirectory, keyId);
        if (File.Exists(file))
        {
            return false;
        }

        Storage.Embedded.OwnerOnly.CreateDirectory(keysDirectory);
        using var writer = new StreamWriter(file, System.Text.Encoding.ASCII, Storage.Embedded.OwnerOnly.Create(FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.None));
        writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return true;
    }

    private static string KeyFile(string keysDirectory, string keyId) => Path.Combine(keysDirectory, $"{keyId}.key");
}

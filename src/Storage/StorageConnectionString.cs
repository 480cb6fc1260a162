using System.Text;

namespace DataFirst.Storage;

/// <summary>
/// A parsed Azure Storage connection string (account name + key + endpoints), including
/// <c>UseDevelopmentStorage=true</c> (Azurite on its default ports). SAS connection strings are
/// not supported. <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>The emulator's well-known account (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known key (public, documented by Microsoft; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(StorageSharedKeyCredential credential, Uri blobEndpoint, Uri queueEndpoint, Uri tableEndpoint)
    {
        Credential = credential;
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint;
        TableEndpoint = tableEndpoint;
    }

    public string AccountName => Credential.AccountName;

    public StorageSharedKeyCredential Credential { get; }

    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>Parses the string; errors name the missing or bad setting, never echo a value.</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The storage connection string is empty. Set it (e.g. 'UseDevelopmentStorage=true' for Azurite) or leave storage unset to use the embedded store.");
        }

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException("The storage connection string is malformed: every part must be 'Name=Value', separated by ';'.");
            }

            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            var host = "127.0.0.1";
            if (settings.TryGetValue("DevelopmentStorageProxyUri", out var proxy) && Uri.TryCreate(proxy, UriKind.Absolute, out var proxyUri))
            {
                host = proxyUri.Host;
            }

            return new StorageConnectionString(
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                new Uri($"http://{host}:10000/{DevelopmentAccountName}"),
                new Uri($"http://{host}:10001/{DevelopmentAccountName}"),
                new Uri($"http://{host}:10002/{DevelopmentAccountName}"));
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("The storage connection string uses a SharedAccessSignature: this build supports account keys (Shared Key) or token auth (set the account URL instead).");
        }

        if (!settings.TryGetValue("AccountName", out var account) || account.Length == 0)
        {
            throw new FormatException("The storage connection string has no AccountName.");
        }

        if (!settings.TryGetValue("AccountKey", out var key) || key.Length == 0)
        {
            throw new FormatException($"The storage connection string for account '{account}' has no AccountKey.");
        }

        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        Uri Endpoint(string setting, string service)
        {
            if (settings.TryGetValue(setting, out var explicitEndpoint))
            {
                if (!Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new FormatException($"The storage connection string setting {setting} is not an absolute http(s) URL.");
                }

                return uri;
            }

            return new Uri($"{protocol}://{account}.{service}.{suffix}");
        }

        StorageSharedKeyCredential credential;
        try
        {
            credential = new StorageSharedKeyCredential(account, key);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message);
        }

        return new StorageConnectionString(credential, Endpoint("BlobEndpoint", "blob"), Endpoint("QueueEndpoint", "queue"), Endpoint("TableEndpoint", "table"));
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("AccountName=").Append(AccountName).Append(";AccountKey=***");
        text.Append(";BlobEndpoint=").Append(BlobEndpoint).Append(";TableEndpoint=").Append(TableEndpoint);
        return text.ToString();
    }
}

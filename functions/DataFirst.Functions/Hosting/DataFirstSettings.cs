namespace DataFirst.Functions.Hosting;

/// <summary>
/// <c>DataFirst:Storage</c>: where the pipeline's containers and tables live. In Azure set
/// <see cref="AccountUrl"/> (the blob endpoint; managed identity via DefaultAzureCredential);
/// <see cref="ConnectionString"/> is for local runs against Azurite only.
/// </summary>
public sealed class DataFirstStorageSettings
{
    public const string SectionName = "DataFirst:Storage";

    /// <summary>Blob endpoint, e.g. https://stdfdev.blob.core.windows.net (table endpoint derived).</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>Local only: e.g. UseDevelopmentStorage=true. Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Throws naming the setting when neither or both are set, or the URL is not https.</summary>
    public void Validate()
    {
        var hasUrl = AccountUrl is not null;
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasUrl == hasConnectionString)
        {
            throw new InvalidOperationException(
                "Set exactly one of DataFirst:Storage:AccountUrl (Azure, managed identity) or DataFirst:Storage:ConnectionString (local Azurite); " +
                "as app settings: DataFirst__Storage__AccountUrl / DataFirst__Storage__ConnectionString.");
        }

        if (hasUrl && (!AccountUrl!.IsAbsoluteUri || AccountUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException("DataFirst:Storage:AccountUrl must be an absolute https URL such as https://<account>.blob.core.windows.net.");
        }
    }
}

/// <summary><c>DataFirst:KeyVault</c>: the vault holding secrets <c>pseudonymisation-key-{keyId}</c>.</summary>
public sealed class DataFirstKeyVaultSettings
{
    public const string SectionName = "DataFirst:KeyVault";

    /// <summary>e.g. https://kv-datafirst-dev.vault.azure.net/. Empty locally: keys then come from DataFirst:Pseudonymisation:Keys.</summary>
    public Uri? Uri { get; set; }
}

/// <summary><c>DataFirst:Pseudonymisation</c>: local-only keys (key id → base64), used when no Key Vault is configured.</summary>
public sealed class DataFirstPseudonymisationSettings
{
    public const string SectionName = "DataFirst:Pseudonymisation";

    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
}

using System.Text;
using Azure.Core;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tables;

namespace DataFirst.Storage;

/// <summary>Which adapters <see cref="StorageFactory"/> builds.</summary>
public enum StorageMode
{
    /// <summary>Local folder for blobs + SQLite for tables (no emulator, no cloud).</summary>
    Embedded,

    /// <summary>Azure Storage or Azurite with Shared Key auth from a connection string.</summary>
    SharedKey,

    /// <summary>Azure Storage with a <see cref="TokenCredential"/> (Microsoft Entra ID / managed identity).</summary>
    Token,
}

/// <summary>
/// Storage configuration. Precedence: <see cref="ConnectionString"/> (Shared Key, including
/// <c>UseDevelopmentStorage=true</c>), then <see cref="BlobServiceUri"/> / <see cref="AccountName"/>
/// (token auth), else embedded under <see cref="DataDirectory"/>.
/// <see cref="ToString"/> never shows the connection string.
/// </summary>
public sealed record StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Default embedded data folder, relative to the working directory.</summary>
    public static readonly string DefaultDataDirectory = Path.Combine(".datafirst", "data");

    /// <summary>Embedded mode: folder holding <c>blobs/</c> and <c>tables.db</c>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Shared Key mode: an Azure Storage connection string (secret: never logged).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Token mode: the blob endpoint, e.g. https://acct.blob.core.windows.net.</summary>
    public Uri? BlobServiceUri { get; init; }

    /// <summary>Token mode: the table endpoint; derived from the blob endpoint (".blob." → ".table.") when absent.</summary>
    public Uri? TableServiceUri { get; init; }

    /// <summary>Token mode shortcut: the account name of a public-cloud account (endpoints derived).</summary>
    public string? AccountName { get; init; }

    /// <summary>Token mode: the credential; <c>DefaultAzureCredential</c> when absent.</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>Azure modes: pipeline options (retry, transport, diagnostics) and transfer sizes of the blob client.</summary>
    public BlobClientOptions? BlobClientOptions { get; init; }

    /// <summary>Azure modes: pipeline options (retry, transport, diagnostics) of the table client.</summary>
    public TableClientOptions? TableClientOptions { get; init; }

    public StorageMode Mode =>
        !string.IsNullOrWhiteSpace(ConnectionString) ? StorageMode.SharedKey
        : BlobServiceUri is not null || !string.IsNullOrWhiteSpace(AccountName) ? StorageMode.Token
        : StorageMode.Embedded;

    /// <summary>
    /// Reads the settings from environment variables: <c>DATAFIRST_STORAGE_CONNECTION_STRING</c>,
    /// <c>DATAFIRST_STORAGE_BLOB_URI</c>, <c>DATAFIRST_STORAGE_TABLE_URI</c>,
    /// <c>DATAFIRST_STORAGE_ACCOUNT</c>, <c>DATAFIRST_DATA_DIR</c>.
    /// </summary>
    public static StorageOptions FromEnvironment()
    {
        static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        static Uri? GetUri(string name) => Get(name) is { } v ? new Uri(v, UriKind.Absolute) : null;
        return new StorageOptions
        {
            ConnectionString = Get("DATAFIRST_STORAGE_CONNECTION_STRING"),
            BlobServiceUri = GetUri("DATAFIRST_STORAGE_BLOB_URI"),
            TableServiceUri = GetUri("DATAFIRST_STORAGE_TABLE_URI"),
            AccountName = Get("DATAFIRST_STORAGE_ACCOUNT"),
            DataDirectory = Get("DATAFIRST_DATA_DIR"),
        };
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Mode = ").Append(Mode);
        switch (Mode)
        {
            case StorageMode.Embedded:
                builder.Append(", DataDirectory = ").Append(DataDirectory ?? DefaultDataDirectory);
                break;
            case StorageMode.SharedKey:
                builder.Append(", ConnectionString = ***");
                break;
            case StorageMode.Token:
                builder.Append(", BlobServiceUri = ").Append(BlobServiceUri?.GetLeftPart(UriPartial.Path) ?? "(from account)");
                builder.Append(", AccountName = ").Append(AccountName ?? "(from uri)");
                builder.Append(", Credential = ").Append(Credential is null ? "DefaultAzureCredential" : Credential.GetType().Name);
                break;
        }

        return true;
    }
}

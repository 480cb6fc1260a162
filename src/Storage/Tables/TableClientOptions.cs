using Azure.Core;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Tables;

/// <summary>Options of the table clients: Azure.Core pipeline settings.</summary>
public sealed class TableClientOptions : ClientOptions
{
    /// <summary>The REST API version sent as <c>x-ms-version</c>.</summary>
    public const string ServiceVersion = "2019-02-02";

    public TableClientOptions()
    {
        StoragePipeline.ConfigureDiagnostics(this);
    }
}

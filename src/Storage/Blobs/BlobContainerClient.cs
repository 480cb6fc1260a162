using System.Globalization;
using System.Xml;
using Azure;
using Azure.Core;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Blobs;

/// <summary>One container. Shaped like Azure.Storage.Blobs' <c>BlobContainerClient</c>.</summary>
public class BlobContainerClient
{
    private readonly BlobServiceClient _service;

    internal BlobContainerClient(BlobServiceClient service, string name)
    {
        _service = service;
        Name = name;
        Uri = new Uri($"{service.Uri}/{name}");
    }

    /// <summary>For mocking.</summary>
    protected BlobContainerClient()
    {
        _service = null!;
        Name = string.Empty;
        Uri = new Uri("https://localhost/");
    }

    public string Name { get; }

    public Uri Uri { get; }

    internal BlobServiceClient Service => _service;

    public virtual BlobClient GetBlobClient(string blobName)
    {
        StorageNames.ValidateBlobName(blobName);
        return new BlobClient(this, blobName);
    }

    /// <summary>Create Container, private (no public access header). True when created, false when it existed.</summary>
    public virtual async Task<Response<bool>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Put;
        request.Uri.Reset(Uri);
        request.Uri.AppendQuery("restype", "container");
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return response.Status switch
        {
            201 => Response.FromValue(true, response),
            409 when ErrorCode(response) == "ContainerAlreadyExists" => Response.FromValue(false, response),
            _ => throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>One page of List Blobs (with metadata), in name order.</summary>
    public virtual async Task<Response<BlobsSegment>> GetBlobsPageAsync(string? prefix = null, string? marker = null, int? maxResults = null, CancellationToken cancellationToken = default)
    {
        using var message = _service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Get;
        request.Uri.Reset(Uri);
        request.Uri.AppendQuery("restype", "container");
        request.Uri.AppendQuery("comp", "list");
        request.Uri.AppendQuery("include", "metadata");
        if (!string.IsNullOrEmpty(prefix))
        {
            request.Uri.AppendQuery("prefix", prefix);
        }

        if (!string.IsNullOrEmpty(marker))
        {
            request.Uri.AppendQuery("marker", marker);
        }

        if (maxResults is { } max)
        {
            request.Uri.AppendQuery("maxresults", max.ToString(CultureInfo.InvariantCulture));
        }

        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return Response.FromValue(ParseList(response.ContentStream!), response);
    }

    internal static string? ErrorCode(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    /// <summary>Parses EnumerationResults (no XML namespace).</summary>
    internal static BlobsSegment ParseList(Stream xml)
    {
        var document = new XmlDocument { XmlResolver = null };
        using (var reader = XmlReader.Create(xml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            document.Load(reader);
        }

        var blobs = new List<BlobProperties>();
        foreach (XmlNode blob in document.SelectNodes("/EnumerationResults/Blobs/Blob")!)
        {
            var properties = blob["Properties"];
            var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (blob["Metadata"] is { } meta)
            {
                foreach (XmlNode item in meta.ChildNodes)
                {
                    if (item.NodeType == XmlNodeType.Element)
                    {
                        metadata[item.Name] = item.InnerText;
                    }
                }
            }

            blobs.Add(new BlobProperties(
                blob["Name"]!.InnerText,
                long.Parse(properties?["Content-Length"]?.InnerText ?? "0", CultureInfo.InvariantCulture),
                NormalizeETag(properties?["Etag"]?.InnerText),
                DateTimeOffset.Parse(properties?["Last-Modified"]?.InnerText ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                properties?["Content-Type"]?.InnerText is { Length: > 0 } type ? type : null,
                metadata));
        }

        var next = document.SelectSingleNode("/EnumerationResults/NextMarker")?.InnerText;
        return new BlobsSegment(blobs, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>Header ETags are quoted, List Blobs ETags may not be: use the quoted form everywhere.</summary>
    internal static ETag NormalizeETag(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return default;
        }

        return new ETag(value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal) ? value : $"\"{value}\"");
    }

    public override string ToString() => $"BlobContainerClient({Uri})";
}

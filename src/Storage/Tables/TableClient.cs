using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using DataFirst.Core.Storage;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Tables;

/// <summary>One table. Shaped like Azure.Data.Tables' <c>TableClient</c>; entities are Core's <see cref="TableEntity"/>.</summary>
public partial class TableClient
{
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    private readonly TableServiceClient _service;

    internal TableClient(TableServiceClient service, string name)
    {
        _service = service;
        Name = name;
        Uri = new Uri($"{service.Uri}/{name}");
    }

    /// <summary>For mocking.</summary>
    protected TableClient()
    {
        _service = null!;
        Name = string.Empty;
        Uri = new Uri("https://localhost/");
    }

    public string Name { get; }

    public Uri Uri { get; }

    /// <summary>Create Table; true when created, false when it existed.</summary>
    public virtual async Task<Response<bool>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, new Uri($"{_service.Uri}/Tables"));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return response.Status switch
        {
            201 or 204 => Response.FromValue(true, response),
            409 => Response.FromValue(false, response),
            _ => throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Insert Entity; 409 EntityAlreadyExists when the key exists. The new ETag is in the response's ETag header.</summary>
    public virtual async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, Uri);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
        return await SendExpectingAsync(message, 204, 201, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Insert Or Replace (PUT) / Insert Or Merge (MERGE) without If-Match.</summary>
    public virtual async Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(mode == TableUpdateMode.Replace ? RequestMethod.Put : Merge, EntityUri(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
        return await SendExpectingAsync(message, 204, 204, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Update (PUT) / Merge (MERGE) with If-Match; 412 when the ETag is stale, 404 when absent.</summary>
    public virtual async Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(mode == TableUpdateMode.Replace ? RequestMethod.Put : Merge, EntityUri(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Headers.SetValue("If-Match", IfMatchValue(ifMatch));
        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
        return await SendExpectingAsync(message, 204, 204, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Query Entities by key; the value is absent when the entity does not exist.</summary>
    public virtual async Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, EntityUri(partitionKey, rowKey));
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && ErrorCode(response) is null or "ResourceNotFound")
        {
            return new NoEntityResponse(response);
        }

        if (response.Status != 200)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var etag = response.Headers.TryGetValue("ETag", out var e) ? e : null;
        return Response.FromValue(TableEntityJson.Deserialize(json.RootElement, etag), response);
    }

    /// <summary>
    /// Query Entities: one page for an OData <paramref name="filter"/> (see <see cref="TableFilter"/>),
    /// continued with x-ms-continuation-NextPartitionKey / NextRowKey packed into one opaque token.
    /// A page may hold fewer than <paramref name="maxPerPage"/> entities and still have a token.
    /// </summary>
    public virtual async Task<Response<TablePage>> QueryAsync(string? filter, int? maxPerPage = null, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, new Uri($"{_service.Uri}/{Name}()"));
        var uri = message.Request.Uri;
        if (!string.IsNullOrEmpty(filter))
        {
            uri.AppendQuery("$filter", filter);
        }

        if (maxPerPage is { } top)
        {
            uri.AppendQuery("$top", top.ToString(CultureInfo.InvariantCulture));
        }

        if (DecodeContinuation(continuationToken) is { } next)
        {
            uri.AppendQuery("NextPartitionKey", next.PartitionKey);
            if (next.RowKey is not null)
            {
                uri.AppendQuery("NextRowKey", next.RowKey);
            }
        }

        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var items = json.RootElement.GetProperty("value").EnumerateArray().Select(e => TableEntityJson.Deserialize(e)).ToList();
        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPk);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRk);
        return Response.FromValue(new TablePage(items, EncodeContinuation(nextPk, nextRk)), response);
    }

    /// <summary>Delete Entity (If-Match: the ETag, or * when default). A 404 is returned, not thrown.</summary>
    public virtual async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, EntityUri(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", IfMatchValue(ifMatch));
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 204 or 404)
        {
            return response;
        }

        throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Entity group transaction: one multipart/mixed batch with one change set (CRLF line ends).
    /// All actions apply or none; the failing action's status and error code surface as a
    /// <see cref="RequestFailedException"/>. Returns the ETag of each action (null for deletes).
    /// </summary>
    public virtual async Task<Response<IReadOnlyList<string?>>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
        var changesetBoundary = "changeset_" + Guid.NewGuid().ToString("N");
        var body = BuildBatchBody(actions, batchBoundary, changesetBoundary);
        using var message = CreateMessage(RequestMethod.Post, new Uri($"{_service.Uri}/$batch"));
        message.Request.Headers.SetValue("Content-Type", $"multipart/mixed; boundary={batchBoundary}");
        message.Request.Content = RequestContent.Create(body);
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 202)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var text = response.Content.ToString();
        var parts = ParseBatchResponse(text);
        var failed = parts.FirstOrDefault(p => p.Status >= 400);
        if (failed.Status != 0 || parts.Count == 0)
        {
            var (code, detail) = StorageErrorDetailsParser.ParseBody(failed.Body ?? string.Empty);
            var status = failed.Status == 0 ? 500 : failed.Status;
            throw new RequestFailedException(status, $"Table batch failed: HTTP {status} {code ?? "(no error code)"}. {detail}".TrimEnd(), code, null);
        }

        return Response.FromValue<IReadOnlyList<string?>>(parts.Select(p => p.ETag).ToList(), response);
    }

    public override string ToString() => $"TableClient({Uri})";

    private static readonly RequestMethod Merge = new("MERGE");

    private HttpMessage CreateMessage(RequestMethod method, Uri uri)
    {
        var message = _service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Headers.SetValue("x-ms-version", TableClientOptions.ServiceVersion);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("Accept", JsonMinimalMetadata);
        return message;
    }

    private async Task<Response> SendExpectingAsync(HttpMessage message, int expected, int alsoOk, CancellationToken cancellationToken)
    {
        await _service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != expected && response.Status != alsoOk)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>…/table(PartitionKey='pk',RowKey='rk') with quotes doubled and the keys percent-encoded.</summary>
    private Uri EntityUri(string partitionKey, string rowKey) =>
        new($"{_service.Uri}/{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')");

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static string IfMatchValue(ETag etag) => etag == default || etag == ETag.All ? "*" : etag.ToString();

    private static string? ErrorCode(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var code))
        {
            return code;
        }

        return response.Content is { } content && content.ToMemory().Length > 0 ? StorageErrorDetailsParser.ParseBody(content.ToString()).Code : null;
    }

    private byte[] BuildBatchBody(IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        const string crlf = "\r\n";
        var body = new StringBuilder();
        body.Append("--").Append(batchBoundary).Append(crlf);
        body.Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append(crlf).Append(crlf);
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, uri, ifMatch, hasBody) = action.Type switch
            {
                TableTransactionActionType.Add => ("POST", Uri.AbsoluteUri, (string?)null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.UpdateReplace => ("PUT", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, action.IfMatch ?? "*", true),
                TableTransactionActionType.Delete => ("DELETE", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, action.IfMatch ?? "*", false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.Type, "Unknown table action type."),
            };
            body.Append("--").Append(changesetBoundary).Append(crlf);
            body.Append("Content-Type: application/http").Append(crlf);
            body.Append("Content-Transfer-Encoding: binary").Append(crlf).Append(crlf);
            body.Append(method).Append(' ').Append(uri).Append(" HTTP/1.1").Append(crlf);
            body.Append("Accept: ").Append(JsonMinimalMetadata).Append(crlf);
            body.Append("DataServiceVersion: 3.0").Append(crlf);
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append(crlf);
            }

            if (hasBody)
            {
                body.Append("Content-Type: application/json").Append(crlf);
                if (action.Type == TableTransactionActionType.Add)
                {
                    body.Append("Prefer: return-no-content").Append(crlf);
                }

                body.Append(crlf);
                body.Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append(crlf);
            }
            else
            {
                body.Append(crlf);
            }
        }

        body.Append("--").Append(changesetBoundary).Append("--").Append(crlf);
        body.Append("--").Append(batchBoundary).Append("--").Append(crlf);
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    internal readonly record struct BatchPart(int Status, string? ETag, string? Body);

    /// <summary>Each embedded HTTP response of the change set: status, ETag header and body.</summary>
    internal static List<BatchPart> ParseBatchResponse(string text)
    {
        var parts = new List<BatchPart>();
        var matches = StatusLine().Matches(text);
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : text.Length;
            var segment = text[start..end];
            var status = int.Parse(matches[i].Groups[1].Value, CultureInfo.InvariantCulture);
            var headerEnd = segment.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var headers = headerEnd < 0 ? segment : segment[..headerEnd];
            string? etag = null;
            foreach (var line in headers.Split("\r\n"))
            {
                if (line.StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
                {
                    etag = line["ETag:".Length..].Trim();
                }
            }

            string? body = null;
            if (headerEnd >= 0)
            {
                body = segment[(headerEnd + 4)..];
                var boundary = body.IndexOf("\r\n--", StringComparison.Ordinal);
                if (boundary >= 0)
                {
                    body = body[..boundary];
                }
            }

            parts.Add(new BatchPart(status, etag, body));
        }

        return parts;
    }

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3})", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StatusLine();

    private static string? EncodeContinuation(string? partitionKey, string? rowKey)
    {
        if (string.IsNullOrEmpty(partitionKey))
        {
            return null;
        }

        var packed = JsonSerializer.SerializeToUtf8Bytes(new[] { partitionKey, rowKey ?? string.Empty });
        return Convert.ToBase64String(packed);
    }

    private static (string PartitionKey, string? RowKey)? DecodeContinuation(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var values = JsonSerializer.Deserialize<string[]>(Convert.FromBase64String(token));
            if (values is { Length: 2 })
            {
                return (values[0], values[1].Length == 0 ? null : values[1]);
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        throw new StorageException(StorageErrorKind.Other, 400, "InvalidContinuationToken", "The continuation token was not produced by this table client. Query again without a token.");
    }

    private sealed class NoEntityResponse(Response response) : NullableResponse<TableEntity>
    {
        public override bool HasValue => false;

        public override TableEntity? Value => null;

        public override Response GetRawResponse() => response;
    }
}

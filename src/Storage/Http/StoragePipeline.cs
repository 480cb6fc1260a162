using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DataFirst.Storage.Http;

/// <summary>Builds the Azure.Core pipeline (retry, logging, diagnostics) with the right auth policy.</summary>
internal static class StoragePipeline
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(ClientOptions options, StorageSharedKeyCredential? sharedKey, TokenCredential? token, SharedKeyService service)
    {
        HttpPipelinePolicy auth = sharedKey is not null
            ? new SharedKeyAuthenticationPolicy(sharedKey, service)
            : new BearerTokenAuthenticationPolicy(token ?? throw new ArgumentNullException(nameof(token)), StorageScope);
        return HttpPipelineBuilder.Build(options, Array.Empty<HttpPipelinePolicy>(), new[] { auth }, new ResponseClassifier());
    }

    /// <summary>Error logging/diagnostics allow-list additions: ids and error codes, never auth.</summary>
    public static void ConfigureDiagnostics(ClientOptions options)
    {
        foreach (var name in new[] { "x-ms-error-code", "x-ms-request-id", "x-ms-version", "x-ms-blob-type", "x-ms-continuation-NextPartitionKey", "x-ms-continuation-NextRowKey", "ETag", "If-Match", "If-None-Match" })
        {
            options.Diagnostics.LoggedHeaderNames.Add(name);
        }

        foreach (var name in new[] { "restype", "comp", "prefix", "marker", "maxresults", "include", "$top", "$filter" })
        {
            options.Diagnostics.LoggedQueryParameters.Add(name);
        }
    }

    /// <summary>A <see cref="RequestFailedException"/> carrying the service error code; buffers an unbuffered error body first.</summary>
    public static async ValueTask<RequestFailedException> CreateExceptionAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.ContentStream is { CanSeek: false } stream)
        {
            var buffer = new MemoryStream();
            try
            {
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
            }

            buffer.Position = 0;
            await stream.DisposeAsync().ConfigureAwait(false);
            response.ContentStream = buffer;
        }

        return new RequestFailedException(response, null, StorageErrorDetailsParser.Instance);
    }

    /// <summary>Escapes a path segment (RFC 3986 unreserved characters stay, everything else is %XX).</summary>
    public static string EscapeSegment(string segment) => Uri.EscapeDataString(segment);
}

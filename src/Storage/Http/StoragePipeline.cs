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
        return HttpPipelineBuilder.Build(options, new HttpPipelinePolicy[] { new NoResponsePolicy() }, new[] { auth }, new ResponseClassifier());
    }

    /// <summary>
    /// When every try fails without a response (nothing listening, a wrong host, DNS), Azure.Core's retry policy throws an
    /// <see cref="AggregateException"/> of the tries' errors, which callers that map <see cref="RequestFailedException"/>
    /// to a storage error would not see. This turns it into one <see cref="RequestFailedException"/> (status 0) naming
    /// the endpoint (scheme, host and port only: never a path, query or signature) and the last try's error.
    /// </summary>
    private sealed class NoResponsePolicy : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            catch (AggregateException ex) when (IsNoResponse(ex))
            {
                throw NoResponse(message, ex);
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            try
            {
                ProcessNext(message, pipeline);
            }
            catch (AggregateException ex) when (IsNoResponse(ex))
            {
                throw NoResponse(message, ex);
            }
        }

        /// <summary>The retry policy's aggregate of tries that each failed without a response.</summary>
        private static bool IsNoResponse(AggregateException ex) => ex.InnerExceptions.Count > 0 && ex.InnerExceptions.All(e => e is RequestFailedException);

        private static RequestFailedException NoResponse(HttpMessage message, AggregateException ex)
        {
            var uri = message.Request.Uri;
            var endpoint = $"{uri.Scheme}://{uri.Host}:{uri.Port}";
            return new RequestFailedException(0, $"no response from {endpoint} after {ex.InnerExceptions.Count} tries ({ex.InnerExceptions[^1].Message.TrimEnd('.')}); check that the storage account or Azurite is running there and that the connection string names the right endpoint", ex);
        }
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

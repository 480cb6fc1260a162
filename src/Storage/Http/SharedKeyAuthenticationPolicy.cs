using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DataFirst.Storage.Http;

/// <summary>Which Shared Key string-to-sign the service expects.</summary>
internal enum SharedKeyService
{
    Blob,
    Table,
}

/// <summary>
/// Signs each request with Shared Key. Runs per retry (after the client request id is set) so that
/// every attempt carries a fresh <c>x-ms-date</c> and a signature over the headers actually sent.
/// </summary>
internal sealed class SharedKeyAuthenticationPolicy(StorageSharedKeyCredential credential, SharedKeyService service) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);
        var stringToSign = service == SharedKeyService.Blob ? BlobStringToSign(request) : TableStringToSign(request, date);
        request.Headers.SetValue("Authorization", $"SharedKey {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }

    internal string BlobStringToSign(Request request)
    {
        var contentLength = string.Empty;
        if (request.Content is not null && request.Content.TryComputeLength(out var length) && length != 0)
        {
            contentLength = length.ToString(CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder();
        text.Append(request.Method.Method).Append('\n');
        text.Append(Header(request, "Content-Encoding")).Append('\n');
        text.Append(Header(request, "Content-Language")).Append('\n');
        text.Append(contentLength).Append('\n');
        text.Append(Header(request, "Content-MD5")).Append('\n');
        text.Append(Header(request, "Content-Type")).Append('\n');
        text.Append('\n'); // Date: empty, x-ms-date is signed among the canonical headers.
        text.Append(Header(request, "If-Modified-Since")).Append('\n');
        text.Append(Header(request, "If-Match")).Append('\n');
        text.Append(Header(request, "If-None-Match")).Append('\n');
        text.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        text.Append(Header(request, "Range")).Append('\n');
        AppendCanonicalHeaders(text, request);
        AppendBlobCanonicalResource(text, request);
        return text.ToString();
    }

    internal string TableStringToSign(Request request, string date)
    {
        var text = new StringBuilder();
        text.Append(request.Method.Method).Append('\n');
        text.Append(Header(request, "Content-MD5")).Append('\n');
        text.Append(Header(request, "Content-Type")).Append('\n');
        text.Append(date).Append('\n');
        text.Append('/').Append(credential.AccountName).Append(PathOf(request));
        var comp = QueryParameters(request).FirstOrDefault(p => p.Name == "comp");
        if (comp.Name is not null)
        {
            text.Append("?comp=").Append(comp.Value);
        }

        return text.ToString();
    }

    private static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

    private static void AppendCanonicalHeaders(StringBuilder text, Request request)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in request.Headers)
        {
            var name = header.Name.ToLowerInvariant();
            if (name.StartsWith("x-ms-", StringComparison.Ordinal))
            {
                var value = header.Value.Trim();
                headers[name] = headers.TryGetValue(name, out var existing) ? existing + "," + value : value;
            }
        }

        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private void AppendBlobCanonicalResource(StringBuilder text, Request request)
    {
        text.Append('/').Append(credential.AccountName).Append(PathOf(request));
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in QueryParameters(request))
        {
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            text.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }
    }

    /// <summary>The URL's path as sent (escaped); the emulator's path already starts with the account.</summary>
    private static string PathOf(Request request)
    {
        var path = request.Uri.Path;
        return path.Length == 0 ? "/" : path;
    }

    /// <summary>Query parameters with lower-cased names and decoded values.</summary>
    private static IEnumerable<(string Name, string Value)> QueryParameters(Request request)
    {
        var query = request.Uri.Query;
        if (string.IsNullOrEmpty(query))
        {
            yield break;
        }

        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? string.Empty : pair[(eq + 1)..];
            yield return (Uri.UnescapeDataString(name).ToLowerInvariant(), Uri.UnescapeDataString(value));
        }
    }
}

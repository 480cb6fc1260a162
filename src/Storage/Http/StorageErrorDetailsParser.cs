using System.Text.Json;
using System.Xml;
using Azure;
using Azure.Core;

namespace DataFirst.Storage.Http;

/// <summary>
/// Reads the storage error code: the <c>x-ms-error-code</c> header first, else the body
/// (Blob XML <c>&lt;Error&gt;&lt;Code&gt;</c>, Table JSON <c>odata.error.code</c>).
/// </summary>
internal sealed class StorageErrorDetailsParser : RequestFailedDetailsParser
{
    public static readonly StorageErrorDetailsParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        string? code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : null;
        string? message = null;
        try
        {
            var body = response.Content;
            if (body is not null && body.ToMemory().Length > 0)
            {
                (var bodyCode, message) = ParseBody(body.ToString());
                code ??= bodyCode;
            }
        }
        catch (InvalidOperationException)
        {
            // Unbuffered body: the header is all we have.
        }

        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }

    internal static (string? Code, string? Message) ParseBody(string body)
    {
        var trimmed = body.TrimStart();
        try
        {
            if (trimmed.StartsWith('{'))
            {
                using var json = JsonDocument.Parse(trimmed);
                if (json.RootElement.TryGetProperty("odata.error", out var odata) || json.RootElement.TryGetProperty("error", out odata))
                {
                    var code = odata.TryGetProperty("code", out var c) ? c.GetString() : null;
                    string? message = null;
                    if (odata.TryGetProperty("message", out var m))
                    {
                        message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    }

                    return (code, message);
                }
            }
            else if (trimmed.StartsWith('<'))
            {
                var xml = new XmlDocument { XmlResolver = null };
                using var reader = XmlReader.Create(new StringReader(trimmed), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                xml.Load(reader);
                return (xml.SelectSingleNode("/Error/Code")?.InnerText, xml.SelectSingleNode("/Error/Message")?.InnerText);
            }
        }
        catch (JsonException)
        {
        }
        catch (XmlException)
        {
        }

        return (null, null);
    }
}

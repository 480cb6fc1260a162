using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Storage;

namespace DataFirst.Storage.Tables;

/// <summary>
/// Table entities as OData JSON: types that JSON cannot carry (Int64, Double, DateTime, Guid,
/// Binary) get an <c>@odata.type</c> annotation; Int64 values are strings.
/// </summary>
internal static class TableEntityJson
{
    public static byte[] Serialize(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity.Properties)
            {
                switch (value)
                {
                    case null:
                        break;
                    case string s:
                        writer.WriteString(name, s);
                        break;
                    case int i:
                        writer.WriteNumber(name, i);
                        break;
                    case long l:
                        writer.WriteString(name + "@odata.type", "Edm.Int64");
                        writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                        break;
                    case double d:
                        writer.WriteString(name + "@odata.type", "Edm.Double");
                        if (double.IsFinite(d))
                        {
                            writer.WriteNumber(name, d);
                        }
                        else
                        {
                            writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                        }

                        break;
                    case bool b:
                        writer.WriteBoolean(name, b);
                        break;
                    case DateTimeOffset t:
                        writer.WriteString(name + "@odata.type", "Edm.DateTime");
                        writer.WriteString(name, FormatDate(t));
                        break;
                    case DateTime dt:
                        writer.WriteString(name + "@odata.type", "Edm.DateTime");
                        writer.WriteString(name, FormatDate(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime())));
                        break;
                    case Guid g:
                        writer.WriteString(name + "@odata.type", "Edm.Guid");
                        writer.WriteString(name, g.ToString("D"));
                        break;
                    case byte[] bytes:
                        writer.WriteString(name + "@odata.type", "Edm.Binary");
                        writer.WriteBase64String(name, bytes);
                        break;
                    default:
                        throw new StorageException(StorageErrorKind.Other, 400, "PropertyValueInvalid", $"Property '{name}' has type {value.GetType().Name}: use string, long, int, double, bool, DateTimeOffset, Guid or byte[].");
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads one entity object of a minimal-metadata response.</summary>
    public static TableEntity Deserialize(JsonElement element, string? etagHeader = null)
    {
        string? pk = null, rk = null, etag = etagHeader;
        DateTimeOffset? timestamp = null;
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name.Contains('@', StringComparison.Ordinal) || name.StartsWith("odata.", StringComparison.Ordinal))
            {
                if (name == "odata.etag")
                {
                    etag = property.Value.GetString();
                }

                continue;
            }

            switch (name)
            {
                case "PartitionKey":
                    pk = property.Value.GetString();
                    continue;
                case "RowKey":
                    rk = property.Value.GetString();
                    continue;
                case "Timestamp":
                    timestamp = DateTimeOffset.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    continue;
            }

            var type = element.TryGetProperty(name + "@odata.type", out var t) ? t.GetString() : null;
            properties[name] = ReadValue(property.Value, type);
        }

        return new TableEntity(pk ?? string.Empty, rk ?? string.Empty)
        {
            ETag = etag,
            Timestamp = timestamp,
            Properties = properties,
        };
    }

    private static object? ReadValue(JsonElement value, string? type)
    {
        switch (type)
        {
            case "Edm.Int64":
                return value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
            case "Edm.Double":
                return value.ValueKind == JsonValueKind.String
                    ? value.GetString() switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        "-Infinity" => double.NegativeInfinity,
                        var s => double.Parse(s!, CultureInfo.InvariantCulture),
                    }
                    : value.GetDouble();
            case "Edm.DateTime":
                return DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            case "Edm.Guid":
                return Guid.Parse(value.GetString()!);
            case "Edm.Binary":
                return value.GetBytesFromBase64();
            case "Edm.Int32":
                return value.GetInt32();
            case "Edm.Boolean":
                return value.GetBoolean();
            case "Edm.String":
                return value.GetString();
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when IsIntegral(value) && value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };
    }

    private static bool IsIntegral(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.IndexOfAny(['.', 'e', 'E']) < 0;
    }
}

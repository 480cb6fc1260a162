using System.Globalization;
using System.Text;
using DataFirst.Core.Storage;

namespace DataFirst.Storage.Tables;

/// <summary>Builds OData <c>$filter</c> expressions with correctly typed and escaped literals.</summary>
public static class TableFilter
{
    /// <summary>PartitionKey equality plus the query's RowKey range and property equalities.</summary>
    public static string ForPartition(string partitionKey, TableQuery? query)
    {
        var filter = new StringBuilder("PartitionKey eq ").Append(Literal(partitionKey));
        if (query?.RowKeyFrom is { } from)
        {
            filter.Append(" and RowKey ge ").Append(Literal(from));
        }

        if (query?.RowKeyTo is { } to)
        {
            filter.Append(" and RowKey lt ").Append(Literal(to));
        }

        if (query?.PropertyEquals is { } equals)
        {
            foreach (var (name, value) in equals)
            {
                if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw StorageNames.Invalid($"Filter property name '{name}' is invalid: use letters, digits and '_'.");
                }

                filter.Append(" and ").Append(name).Append(" eq ").Append(Literal(value));
            }
        }

        return filter.ToString();
    }

    /// <summary>An OData literal: 'text' (quotes doubled), 12L, 12, 1.5, true, datetime'…', guid'…', X'…'.</summary>
    public static string Literal(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var text && text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateTimeOffset t => $"datetime'{TableEntityJson.FormatDate(t)}'",
        Guid g => $"guid'{g:D}'",
        byte[] x => $"X'{Convert.ToHexStringLower(x)}'",
        _ => throw new StorageException(StorageErrorKind.Other, 400, "InvalidFilterValue", $"Filter value of type {value.GetType().Name} is not supported: use string, long, int, double, bool, DateTimeOffset, Guid or byte[]."),
    };
}

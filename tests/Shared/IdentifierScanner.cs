using System.Text.Json;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;

namespace DataFirst.Testing;

/// <summary>
/// Looks for the input's personal identifiers in output files. Names, addresses, postcodes and
/// system ids are distinctive: none may appear as a cell, JSON string or word. Dates of birth share
/// their calendar with event dates, so single coincidences are expected; a column made mostly of
/// dates of birth is a leak. Shared by the Core and CLI test projects (linked source).
/// </summary>
internal sealed class IdentifierScanner
{
    private IdentifierScanner(HashSet<string> identifiers, HashSet<string> datesOfBirth)
    {
        Identifiers = identifiers;
        DatesOfBirth = datesOfBirth;
    }

    public HashSet<string> Identifiers { get; }

    public HashSet<string> DatesOfBirth { get; }

    /// <summary>Collects identifier values from every person-level extract in <paramref name="extractsFolder"/>.</summary>
    public static IdentifierScanner FromExtracts(string extractsFolder, IEnumerable<DatasetProfile> profiles)
    {
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var dates = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var profile in profiles.Where(p => p.IsPersonLevel))
        {
            var path = Path.Combine(extractsFolder, profile.Name + ".csv");
            if (!File.Exists(path))
            {
                continue;
            }

            var rows = ReadCsv(File.ReadAllText(path), out var header);
            foreach (var column in profile.Columns.Where(c => c.Role is ColumnRole.DirectIdentifier or ColumnRole.SystemId))
            {
                var index = Array.IndexOf(header, column.Name);
                foreach (var row in rows.Where(r => index >= 0 && index < r.Length))
                {
                    Add(column, row[index].Trim(), values, dates);
                }
            }
        }

        // The catalogue is built from the profiles' declarations: a surname that is also a word of a
        // code label or description ("White" in the ethnicity labels) is not a leak when it appears there.
        var vocabulary = profiles.SelectMany(p => new[] { p.Title, p.Description, p.SourceSystem, p.RowMeaning ?? string.Empty }
                .Concat(p.Columns.SelectMany(c => (c.Codes?.Values ?? []).Append(c.Description))))
            .SelectMany(text => text.Split([' ', ',', '(', ')', '-', '/', '\'', ';', ':', '.'], StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        values.ExceptWith(vocabulary);
        return new IdentifierScanner(values, dates);
    }

    /// <summary>Problems found in one output file (empty when clean); never the values themselves.</summary>
    public IReadOnlyList<string> Scan(string fileName, string text)
    {
        var found = new List<string>();
        var cells = Cells(fileName, text);
        var leaked = Identifiers.Count(v => cells.Contains(v) || (v.Length >= 12 && text.Contains(v, StringComparison.OrdinalIgnoreCase)));
        if (leaked > 0)
        {
            found.Add($"{fileName}: {leaked} name, address, postcode or system id value(s)");
        }

        if (fileName.EndsWith(".csv", StringComparison.Ordinal))
        {
            var rows = ReadCsv(text, out var header);
            for (var c = 0; c < header.Length; c++)
            {
                var column = rows.Where(r => c < r.Length && r[c].Length > 0).Select(r => r[c]).ToList();
                var dobs = column.Count(DatesOfBirth.Contains);
                if (column.Count >= 20 && dobs > column.Count / 10)
                {
                    found.Add($"{fileName}: column {header[c]} has {dobs} of {column.Count} values equal to dates of birth");
                }
            }
        }

        return found;
    }

    /// <summary>The distinct text cells of a file: CSV cells, JSON names and strings, and words.</summary>
    public static HashSet<string> Cells(string fileName, string text)
    {
        var cells = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (fileName.EndsWith(".csv", StringComparison.Ordinal))
        {
            foreach (var row in ReadCsv(text, out var header).Append(header))
            {
                cells.UnionWith(row.Select(c => c.Trim()));
            }
        }
        else if (fileName.EndsWith(".json", StringComparison.Ordinal))
        {
            using var doc = JsonDocument.Parse(text);
            Walk(doc.RootElement, cells);
        }

        foreach (var word in text.Split([' ', '\n', '\r', '\t', ',', '"', '|', '(', ')', ':', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            cells.Add(word.Trim('.', '\'', '`', '*'));
        }

        return cells;
    }

    public static List<string[]> ReadCsv(string text, out string[] header)
    {
        var csv = new CsvReader(new StringReader(text), "scanned text", trimUnquoted: true);
        header = csv.ReadRow() ?? [];
        var rows = new List<string[]>();
        while (csv.ReadRow() is { } row)
        {
            rows.Add(row);
        }

        return rows;
    }

    private static void Add(ColumnProfile column, string value, HashSet<string> values, HashSet<string> dates)
    {
        if (column.IdentifierKind == IdentifierKinds.DateOfBirth)
        {
            dates.Add(value);
            if (Standardiser.Apply(DataFirst.Core.Settings.StandardiseKind.Date, value, out _) is { } iso)
            {
                dates.Add(iso);
            }

            return;
        }

        // Short system ids (row numbers) occur everywhere as counts; real ids are longer.
        if (value.Length < 3 || (column.Role == ColumnRole.SystemId && value.Length < 6))
        {
            return;
        }

        values.Add(value);
        if (column.IdentifierKind is IdentifierKinds.Forenames or IdentifierKinds.Surname)
        {
            foreach (var part in value.Split([' ', ',', '-'], StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 4))
            {
                values.Add(part);
            }
        }
    }

    private static void Walk(JsonElement e, HashSet<string> cells)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    cells.Add(p.Name);
                    Walk(p.Value, cells);
                }

                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray())
                {
                    Walk(x, cells);
                }

                break;
            case JsonValueKind.String:
                cells.Add(e.GetString()!.Trim());
                break;
        }
    }
}

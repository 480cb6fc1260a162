using System.Text;

namespace DataFirst.Core.Ingest;

/// <summary>Minimal RFC 4180 CSV reader: quoted fields (with doubled quotes and line breaks),
/// unquoted fields trimmed (FEBRL separates with ", ").</summary>
public sealed class CsvRows(TextReader reader, char delimiter = ',')
{
    private readonly StringBuilder field = new();

    /// <summary>1-based line number of the last row returned (its first line).</summary>
    public long LineNumber { get; private set; }

    private long linesRead;

    public string[]? ReadRow()
    {
        var line = reader.ReadLine();
        if (line is null)
        {
            return null;
        }

        linesRead++;
        LineNumber = linesRead;
        var fields = new List<string>();
        var i = 0;
        while (true)
        {
            field.Clear();
            // skip leading blanks
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        var next = reader.ReadLine();
                        if (next is null)
                        {
                            break;
                        }

                        linesRead++;
                        field.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }

                    var ch = line[i];
                    if (ch == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(ch);
                    i++;
                }

                while (i < line.Length && line[i] != delimiter)
                {
                    i++;
                }

                fields.Add(field.ToString());
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] != delimiter)
                {
                    i++;
                }

                fields.Add(line.AsSpan(start, i - start).TrimEnd().ToString());
            }

            if (i >= line.Length)
            {
                break;
            }

            i++; // delimiter
            if (i == line.Length)
            {
                fields.Add("");
                break;
            }
        }

        return fields.ToArray();
    }
}

using System.Text;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>Relative frequency of each value of the columns with a term-frequency-adjusted exact level,
/// computed over the whole record set (personal data: keep with the working data, not in the model).</summary>
public sealed class TermFrequencyTables
{
    private const int Magic = 0x46544644; // "DFTF"

    // Frequencies by dictionary code for the record set the tables were computed or read for (not serialised): scorers
    // compiled against that set (or a Select of it, which shares the dictionaries) skip a string lookup per value.
    // Least: the column's least frequency over all its values, for a value the tables lack.
    private readonly Dictionary<string, (string[] Dictionary, double[] Frequencies, double Least)>? byCode;

    public TermFrequencyTables(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> tables) => Tables = tables;

    private TermFrequencyTables(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> tables, Dictionary<string, (string[], double[], double)> byCode)
        : this(tables) => this.byCode = byCode;

    /// <summary>Frequencies of <paramref name="column"/> indexed by the codes of <paramref name="dictionary"/>, when these
    /// tables were computed from (or read for) a record set with that very dictionary (0 = value absent), and the
    /// column's least frequency over all its values (1 when it has none).</summary>
    internal bool TryGetByCode(string column, string[] dictionary, out double[] frequencies, out double least)
    {
        if (byCode is not null && byCode.TryGetValue(column, out var e) && ReferenceEquals(e.Dictionary, dictionary))
        {
            frequencies = e.Frequencies;
            least = e.Least;
            return true;
        }

        frequencies = [];
        least = 1;
        return false;
    }

    /// <summary>Column → (standardised value → relative frequency among non-null values).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Tables { get; }

    public static IReadOnlyList<string> TfColumns(LinkageSettings settings) =>
        ComparisonSpec.FromSettings(settings).Where(s => s.Levels.Any(l => l.TfAdjustment)).Select(s => s.Column).Distinct(StringComparer.Ordinal).ToList();

    public static TermFrequencyTables Compute(RecordSet records, LinkageSettings settings)
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var byCode = new Dictionary<string, (string[], double[], double)>(StringComparer.Ordinal);
        foreach (var col in TfColumns(settings))
        {
            var c = records.ColumnIndex(col);
            var dict = records.Dictionaries[c];
            var counts = new long[dict.Length];
            long nonNull = 0;
            foreach (var code in records.Codes[c])
            {
                if (code != 0)
                {
                    counts[code]++;
                    nonNull++;
                }
            }

            var t = new Dictionary<string, double>(StringComparer.Ordinal);
            var f = new double[dict.Length];
            var least = 1.0;
            for (var k = 1; k < dict.Length; k++)
            {
                if (counts[k] > 0)
                {
                    f[k] = (double)counts[k] / nonNull;
                    t[dict[k]] = f[k];
                    least = Math.Min(least, f[k]);
                }
            }

            tables[col] = t;
            byCode[col] = (dict, f, least);
        }

        return new TermFrequencyTables(tables, byCode);
    }

    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Tables.Count);
        foreach (var (col, t) in Tables)
        {
            w.Write(col);
            w.Write(t.Count);
            foreach (var (v, f) in t)
            {
                w.Write(v);
                w.Write(f);
            }
        }
    }

    /// <summary>Reads tables written by <see cref="WriteTo"/>, every value. The stream must hold the tables alone (it is read ahead).</summary>
    public static TermFrequencyTables ReadFrom(Stream stream) => Read(stream, null);

    /// <summary>
    /// Reads tables written by <see cref="WriteTo"/>, keeping only the values <paramref name="records"/> holds, bound to
    /// its dictionaries by code. A partition's scorer needs the frequencies of its own values, not of every value of the
    /// run (millions at national scale, read by every partition): each value is matched as it is decoded, and only the
    /// ones the records hold become strings. Each column keeps its least frequency over all values, as
    /// <see cref="ReadFrom"/> would give, for values the tables lack. The stream must hold the tables alone (it is read ahead).
    /// </summary>
    public static TermFrequencyTables ReadFor(Stream stream, RecordSet records) => Read(stream, records);

    /// <summary>Every value as a string table (no records), or only those of <paramref name="records"/>, also by code.</summary>
    private static TermFrequencyTables Read(Stream stream, RecordSet? records)
    {
        var r = new RecordStreamReader(stream, kind: "term-frequency");
        try
        {
            if (r.ReadInt32() != Magic)
            {
                throw new Settings.FormatException("not a DataFirst term-frequency stream (bad magic number).");
            }

            var tables = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
            var byCode = new Dictionary<string, (string[], double[], double)>(StringComparer.Ordinal);
            var scratch = new char[64];
            var n = Count(r.ReadInt32());
            for (var i = 0; i < n; i++)
            {
                var col = r.ReadString();
                var count = Count(r.ReadInt32());
                var dict = records?.HasColumn(col) == true ? records.Dictionaries[records.ColumnIndex(col)] : [];
                var codes = new Dictionary<string, int>(dict.Length, StringComparer.Ordinal);
                for (var k = 1; k < dict.Length; k++)
                {
                    codes.TryAdd(dict[k], k);
                }

                var lookup = codes.GetAlternateLookup<ReadOnlySpan<char>>();
                var t = new Dictionary<string, double>(records is null ? Math.Min(count, 1 << 20) : 0, StringComparer.Ordinal);
                var f = new double[dict.Length];
                var least = 1.0;
                for (var k = 0; k < count; k++)
                {
                    var value = r.ReadChars(ref scratch);
                    var x = r.ReadDouble();
                    least = Math.Min(least, x);
                    if (records is null)
                    {
                        t[new string(value)] = x;
                    }
                    else if (lookup.TryGetValue(value, out var code))
                    {
                        f[code] = x;
                        t[dict[code]] = x;
                    }
                }

                tables[col] = t;
                if (dict.Length > 0)
                {
                    byCode[col] = (dict, f, least);
                }
            }

            return new TermFrequencyTables(tables, byCode);
        }
        catch (EndOfStreamException ex)
        {
            throw new Settings.FormatException($"term-frequency stream is truncated ({ex.Message}).");
        }

        static int Count(int n) => n >= 0 ? n : throw new Settings.FormatException("term-frequency stream is corrupt: a negative count.");
    }
}

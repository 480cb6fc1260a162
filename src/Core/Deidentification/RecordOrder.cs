using System.Buffers.Binary;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// A record set's records in <see cref="RecordKey.Order"/> (dataset name, then row id, both UTF-16 ordinal), sorted
/// over the ids' UTF-8 bytes: a position per record and no string per record, for a national run's person ids.
/// Row ids can be personal: never log them.
/// </summary>
internal sealed class RecordOrder
{
    private readonly RecordSet _records;
    private readonly int[] _order;

    private RecordOrder(RecordSet records, int[] order)
    {
        _records = records;
        _order = order;
    }

    public int Count => _order.Length;

    /// <summary>The records (positions in the record set) in order.</summary>
    public int[] Positions => _order;

    public string Dataset(int k) => _records.SourceDataset(_order[k]);

    public ReadOnlySpan<byte> RowId(int k) => _records.UniqueIds.Utf8(_order[k]);

    /// <summary>Sorts the records: grouped by dataset name, then each dataset by row id (the ids' first bytes after
    /// what all of the dataset's ids share, as a number, then the whole id where those are equal). A record that
    /// appears twice (same dataset and row id) is refused.</summary>
    public static RecordOrder Of(RecordSet records)
    {
        var names = records.SourceNames;
        var rank = new int[names.Count];
        var byName = Enumerable.Range(0, names.Count).OrderBy(d => names[d], StringComparer.Ordinal).ToArray();
        for (var r = 0; r < byName.Length; r++)
        {
            rank[byName[r]] = r;
        }

        var starts = new int[names.Count + 1];
        foreach (var code in records.SourceCodes)
        {
            starts[rank[code] + 1]++;
        }

        for (var r = 0; r < names.Count; r++)
        {
            starts[r + 1] += starts[r];
        }

        var order = new int[records.Count];
        var next = starts[..^1];
        for (var i = 0; i < order.Length; i++)
        {
            order[next[rank[records.SourceCodes[i]]]++] = i;
        }

        var ids = records.UniqueIds;
        for (var r = 0; r < names.Count; r++)
        {
            SortById(ids, order.AsSpan(starts[r], starts[r + 1] - starts[r]));
        }

        var sorted = new RecordOrder(records, order);
        for (var k = 1; k < order.Length; k++)
        {
            if (records.SourceCodes[order[k]] == records.SourceCodes[order[k - 1]] && sorted.RowId(k).SequenceEqual(sorted.RowId(k - 1)))
            {
                throw PersonIdAssigner.AppearsTwice(sorted.Dataset(k));
            }
        }

        return sorted;
    }

    /// <summary>
    /// UTF-16 ordinal order (<see cref="string.CompareOrdinal(string, string)"/>) of two UTF-8 strings. Byte order is
    /// code point order, which is UTF-16 order but for one range: UTF-16 puts U+10000 and above (surrogates) before
    /// U+E000–U+FFFF. Those are the only code points whose lead bytes are 0xEE–0xF4, so those bytes are re-ranked.
    /// </summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var i = a.CommonPrefixLength(b);
        return i == a.Length || i == b.Length ? a.Length.CompareTo(b.Length) : Rank(a[i]).CompareTo(Rank(b[i]));
    }

    /// <summary>A byte's rank in UTF-16 order: 0xF0–0xF4 (U+10000 up) before 0xEE–0xEF (U+E000–U+FFFF).</summary>
    private static int Rank(byte b) => b switch
    {
        >= 0xF0 and <= 0xF4 => b - 2,
        0xEE or 0xEF => b + 5,
        _ => b,
    };

    private static void SortById(UniqueIdColumn ids, Span<int> records)
    {
        if (records.Length < 2)
        {
            return;
        }

        // Ids of one extract often share a beginning (a prefix and leading zeros): skip it, then compare eight bytes
        // at once, and only where those are equal the ids themselves.
        var shared = ids.Utf8(records[0]).Length;
        foreach (var r in records)
        {
            shared = Math.Min(shared, ids.Utf8(r).CommonPrefixLength(ids.Utf8(records[0])));
        }

        var keys = new ulong[records.Length];
        for (var k = 0; k < keys.Length; k++)
        {
            keys[k] = Key(ids.Utf8(records[k])[shared..]);
        }

        keys.AsSpan().Sort(records);
        for (var from = 0; from < keys.Length;)
        {
            var to = from + 1;
            while (to < keys.Length && keys[to] == keys[from])
            {
                to++;
            }

            if (to - from > 1)
            {
                records[from..to].Sort((x, y) => Compare(ids.Utf8(x)[shared..], ids.Utf8(y)[shared..]));
            }

            from = to;
        }
    }

    /// <summary>The first eight bytes, re-ranked (a rank fits a byte), big-endian, zero-padded: a number whose order
    /// agrees with <see cref="Compare"/> wherever two keys differ.</summary>
    private static ulong Key(ReadOnlySpan<byte> id)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        for (var i = 0; i < Math.Min(8, id.Length); i++)
        {
            bytes[i] = (byte)Rank(id[i]);
        }

        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}

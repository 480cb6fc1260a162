using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// A short keyed check of each record's identifying content: the first 8 bytes of an HMAC-SHA256, under a key derived
/// from the share's pseudonymisation key, of the record's standardised names and date of birth (the linkage columns
/// but those that change in a person's life or are corrected as codes: postcode, address, sex; see
/// <see cref="CheckedColumns"/>). The person id mapping saves it beside each record, so a refresh carries a
/// person id over only to the same record: a row id that now holds another record (an extract re-exported with its rows
/// renumbered) has another check, while a record whose person moved house keeps its check (and its person id). A
/// check reveals nothing without the key, and 8 bytes per record keep a national
/// mapping small. Checks compare only under the same <see cref="Scheme"/> (the key's check value and the columns).
/// </summary>
public sealed class RecordChecks
{
    /// <summary>The version of how a check is computed; part of <see cref="Scheme"/>.</summary>
    public const int Version = 1;

    /// <summary>
    /// The columns a check covers, of a record set's: all but postcode, address and sex columns (by name: those starting
    /// with "postcode" or "address", and "sex"). A check tells a row id's record from another record put under that id;
    /// names and date of birth do that, and a move or a corrected sex code must not make a person's record look like
    /// another's (its person would lose the id on the refresh).
    /// </summary>
    public static int[] CheckedColumns(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        static bool Changes(string name) =>
            name.StartsWith("postcode", StringComparison.OrdinalIgnoreCase) || name.StartsWith("address", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "sex", StringComparison.OrdinalIgnoreCase);
        return Enumerable.Range(0, names.Count).Where(c => !Changes(names[c])).ToArray();
    }

    private static readonly byte[] Label = "DataFirst person-id record check v1"u8.ToArray();

    private RecordChecks(RecordCheckScheme scheme, ulong[] values)
    {
        Scheme = scheme;
        Values = values;
    }

    /// <summary>How the checks were made: equal schemes give equal checks for equal content.</summary>
    public RecordCheckScheme Scheme { get; }

    /// <summary>The check of each record of the set, by its position in the set.</summary>
    public ulong[] Values { get; }

    /// <summary>The scheme of checks of <paramref name="columns"/> under <paramref name="key"/>.</summary>
    public static RecordCheckScheme SchemeOf(PseudonymKey key, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new RecordCheckScheme(Version, key.Fingerprint(), [.. columns]);
    }

    /// <summary>The checks of every record of <paramref name="records"/> (over all of its columns).</summary>
    public static RecordChecks Of(RecordSet records, PseudonymKey key)
    {
        ArgumentNullException.ThrowIfNull(records);
        var values = new ulong[records.Count];
        var calculator = new Calculator(key);
        calculator.Fill(records, values);
        return new RecordChecks(SchemeOf(key, Checked(records.ColumnNames)), values);
    }

    /// <summary>Checks computed part by part: <paramref name="parts"/> are the record set's parts in order (each with
    /// every column), so a step that holds the records without their columns need hold only one part's columns.</summary>
    public static async Task<RecordChecks> OfPartsAsync(int count, PseudonymKey key, IAsyncEnumerable<RecordSet> parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var values = new ulong[count];
        var calculator = new Calculator(key);
        var filled = 0;
        IReadOnlyList<string>? columns = null;
        await foreach (var part in parts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            columns ??= part.ColumnNames;
            if (!part.ColumnNames.SequenceEqual(columns, StringComparer.Ordinal) || part.Count > count - filled)
            {
                throw new DeidentificationException("The record parts read for the record checks do not match the run's records; rerun the run.");
            }

            calculator.Fill(part, values.AsSpan(filled, part.Count));
            filled += part.Count;
        }

        return filled == count
            ? new RecordChecks(SchemeOf(key, Checked(columns ?? [])), values)
            : throw new DeidentificationException("The record parts read for the record checks do not match the run's records; rerun the run.");
    }

    private static string[] Checked(IReadOnlyList<string> names) => [.. CheckedColumns(names).Select(c => names[c])];

    /// <summary>A check as saved (16 lower-case hex digits).</summary>
    public static string Format(ulong check) => check.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A saved check; false for anything that is not 16 hex digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong check) =>
        ulong.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out check) && text.Length == 16;

    /// <summary>
    /// The message of a record is its columns in order, each a null (one 0 byte) or a value: its UTF-8 length + 1 in one
    /// byte and its bytes (0xFF, a 4-byte little-endian length and the bytes from 254 bytes up). Most records fit one
    /// block, so they are computed <see cref="HmacSha256Lanes.Lanes"/> at a time on SIMD lanes; longer ones through the
    /// platform's HMAC (the same HMAC).
    /// </summary>
    private sealed class Calculator
    {
        private const int Max = HmacSha256Lanes.MaxMessageBytes;

        // A key of its own for the checks (not the pseudonyms' key), so a check never equals a pseudonym of anything.
        private readonly byte[] _key;
        private readonly HmacSha256Lanes? _lanes;

        public Calculator(PseudonymKey key)
        {
            ArgumentNullException.ThrowIfNull(key);
            _key = HMACSHA256.HashData(key.Bytes, Label);
            _lanes = HmacSha256Lanes.IsAccelerated ? new HmacSha256Lanes(_key) : null;
        }

        public void Fill(RecordSet records, Span<ulong> values)
        {
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
            var used = CheckedColumns(records.ColumnNames);
            var columns = used.Length;
            var codes = used.Select(c => records.Codes[c]).ToArray();
            var encoded = new byte[columns][][];
            for (var c = 0; c < columns; c++)
            {
                encoded[c] = Encode(records.Dictionaries[used[c]]);
            }

            var lanes = HmacSha256Lanes.Lanes;
            Span<byte> buffer = stackalloc byte[lanes * Max];
            Span<int> starts = stackalloc int[lanes];
            Span<int> lengths = stackalloc int[lanes];
            Span<int> record = stackalloc int[lanes];
            Span<byte> macs = stackalloc byte[lanes * HmacSha256Lanes.MacBytes];
            Span<byte> hash = stackalloc byte[HmacSha256Lanes.MacBytes];
            var pending = 0;
            for (var i = 0; i < values.Length; i++)
            {
                var length = 0;
                for (var c = 0; c < columns; c++)
                {
                    length += encoded[c][codes[c][i]].Length;
                }

                if (_lanes is null || length > Max)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        hmac.AppendData(encoded[c][codes[c][i]]);
                    }

                    hmac.GetHashAndReset(hash);
                    values[i] = BinaryPrimitives.ReadUInt64BigEndian(hash);
                    continue;
                }

                var at = starts[pending] = pending * Max;
                lengths[pending] = length;
                record[pending] = i;
                for (var c = 0; c < columns; c++)
                {
                    var bytes = encoded[c][codes[c][i]];
                    bytes.CopyTo(buffer[at..]);
                    at += bytes.Length;
                }

                if (++pending == lanes)
                {
                    Flush(_lanes, pending, buffer, starts, lengths, record, macs, values);
                    pending = 0;
                }
            }

            Flush(_lanes, pending, buffer, starts, lengths, record, macs, values);
        }

        /// <summary>The checks of the <paramref name="count"/> records waiting in the lanes' buffer.</summary>
        private static void Flush(HmacSha256Lanes? lanes, int count, ReadOnlySpan<byte> buffer, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, ReadOnlySpan<int> record, Span<byte> macs, Span<ulong> values)
        {
            if (count == 0)
            {
                return;
            }

            lanes!.Compute(buffer, starts[..count], lengths[..count], macs);
            for (var k = 0; k < count; k++)
            {
                values[record[k]] = BinaryPrimitives.ReadUInt64BigEndian(macs.Slice(k * HmacSha256Lanes.MacBytes, 8));
            }
        }

        /// <summary>Each distinct value of a column once as its part of the message (index 0, the null, a single 0 byte).</summary>
        private static byte[][] Encode(string[] dictionary)
        {
            var column = new byte[dictionary.Length][];
            column[0] = [0];
            for (var v = 1; v < dictionary.Length; v++)
            {
                var length = Encoding.UTF8.GetByteCount(dictionary[v]);
                var head = length < 0xFF - 1 ? 1 : 5;
                var bytes = new byte[head + length];
                if (head == 1)
                {
                    bytes[0] = (byte)(length + 1);
                }
                else
                {
                    bytes[0] = 0xFF;
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), length);
                }

                Encoding.UTF8.GetBytes(dictionary[v], bytes.AsSpan(head));
                column[v] = bytes;
            }

            return column;
        }
    }
}

/// <summary>How a run's record checks were made: the check version, the key's check value
/// (<see cref="PseudonymKey.Fingerprint"/>) and the columns, in order. Saved with the run's person id mapping.</summary>
public sealed record RecordCheckScheme(int Version, string Key, IReadOnlyList<string> Columns)
{
    public bool Matches(RecordCheckScheme? other) =>
        other is not null && other.Version == Version && string.Equals(other.Key, Key, StringComparison.Ordinal) && other.Columns.SequenceEqual(Columns, StringComparer.Ordinal);
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// A short keyed check of each record's identifying content: the first 8 bytes of an HMAC-SHA256, under a key derived
/// from the share's pseudonymisation key, of the record's standardised linkage columns (names, date of birth, postcode,
/// sex: every column of the run's record set). The person id mapping saves it beside each record, so a refresh carries a
/// person id over only to the same record: a row id that now holds another record (an extract re-exported with its rows
/// renumbered) has another check. A check reveals nothing without the key, and 8 bytes per record keep a national
/// mapping small. Checks compare only under the same <see cref="Scheme"/> (the key's check value and the columns).
/// </summary>
public sealed class RecordChecks
{
    /// <summary>The version of how a check is computed; part of <see cref="Scheme"/>.</summary>
    public const int Version = 1;

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
        return new RecordChecks(SchemeOf(key, records.ColumnNames), values);
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
            ? new RecordChecks(SchemeOf(key, columns ?? []), values)
            : throw new DeidentificationException("The record parts read for the record checks do not match the run's records; rerun the run.");
    }

    /// <summary>A check as saved (16 lower-case hex digits).</summary>
    public static string Format(ulong check) => check.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A saved check; false for anything that is not 16 hex digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong check) =>
        ulong.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out check) && text.Length == 16;

    private sealed class Calculator(PseudonymKey key)
    {
        // A key of its own for the checks (not the pseudonyms' key), so a check never equals a pseudonym of anything.
        private readonly byte[] _key = HMACSHA256.HashData(key.Bytes, Label);

        public void Fill(RecordSet records, Span<ulong> values)
        {
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
            var columns = records.ColumnNames.Count;
            var codes = records.Codes;
            var dictionaries = records.Dictionaries;

            // Each column's distinct values once as UTF-8 (length-prefixed; a null is a single 0 byte), not per record.
            var encoded = new byte[columns][][];
            for (var c = 0; c < columns; c++)
            {
                var dictionary = dictionaries[c];
                var column = new byte[dictionary.Length][];
                column[0] = [0];
                for (var v = 1; v < dictionary.Length; v++)
                {
                    var length = Encoding.UTF8.GetByteCount(dictionary[v]);
                    var bytes = new byte[5 + length];
                    bytes[0] = 1;
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), length);
                    Encoding.UTF8.GetBytes(dictionary[v], bytes.AsSpan(5));
                    column[v] = bytes;
                }

                encoded[c] = column;
            }

            Span<byte> hash = stackalloc byte[32];
            for (var i = 0; i < values.Length; i++)
            {
                for (var c = 0; c < columns; c++)
                {
                    hmac.AppendData(encoded[c][codes[c][i]]);
                }

                hmac.GetHashAndReset(hash);
                values[i] = BinaryPrimitives.ReadUInt64BigEndian(hash);
            }
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

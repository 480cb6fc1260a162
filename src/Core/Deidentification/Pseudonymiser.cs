using System.Security.Cryptography;
using System.Text;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Keyed pseudonyms: HMAC-SHA256(key, domain ‖ 0x00 ‖ value), truncated to 128 bits, lower-case hex
/// (32 characters). Without the per-share key, ids cannot be recovered by hashing guesses, and two
/// shares (two keys) cannot be joined. The domain keeps namespaces apart (see
/// <see cref="ShareSpec.IdDomainFor"/>). Missing values stay missing.
/// </summary>
public sealed class Pseudonymiser(PseudonymKey key)
{
    /// <summary>The domain of estimated person ids (the internal person id is the value).</summary>
    public const string PersonDomain = "person";

    private const int OutputBytes = 16;
    private readonly PseudonymKey _key = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>Keyed HMACs kept between calls: reset after each value instead of set up again from the key (half the
    /// cost of the one-shot HMAC). One slot per core, so threads writing a share in parallel each find one; a call that
    /// finds every slot taken makes its own.</summary>
    private readonly IncrementalHash?[] _spares = new IncrementalHash?[Math.Max(2, Environment.ProcessorCount)];

    /// <summary>The key's HMAC over SIMD lanes, for <see cref="PseudonymiseMany"/>; null without SIMD hardware.</summary>
    private readonly HmacSha256Lanes? _lanes = HmacSha256Lanes.IsAccelerated ? new HmacSha256Lanes(key.Bytes) : null;

    public string KeyId => _key.KeyId;

    public string Pseudonymise(string domain, string value) =>
        string.IsNullOrEmpty(value) ? string.Empty : Pseudonymise(domain, value.AsSpan());

    /// <summary>The pseudonym of a value that is not empty (it is trimmed first).</summary>
    private string Pseudonymise(string domain, ReadOnlySpan<char> value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(domain.Length + value.Length + 1);
        var rented = max <= 512 ? null : new byte[max];
        Span<byte> input = rented ?? stackalloc byte[max];
        var n = Encoding.UTF8.GetBytes(domain, input);
        input[n++] = 0;
        n += Encoding.UTF8.GetBytes(value.Trim(), input[n..]);
        Span<byte> mac = stackalloc byte[32];
        var hmac = Take() ?? IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Bytes);
        hmac.AppendData(input[..n]);
        hmac.GetHashAndReset(mac);
        Return(hmac);
        return Convert.ToHexStringLower(mac[..OutputBytes]);
    }

    /// <summary>
    /// The pseudonyms of many values of one domain, each as <see cref="Pseudonymise"/> gives it, computed
    /// <see cref="HmacSha256Lanes.Lanes"/> at a time on SIMD lanes (about a sixth of the time a value). A value too long
    /// for one lane's block (domain, separator and value over <see cref="HmacSha256Lanes.MaxMessageBytes"/> bytes) is
    /// pseudonymised alone.
    /// </summary>
    /// <param name="pseudonyms">Receives the pseudonym of <c>values[i]</c> at <c>i</c>.</param>
    public void PseudonymiseMany(string domain, ReadOnlySpan<string> values, Span<string> pseudonyms) =>
        PseudonymiseMany(domain, new StringValues(values), pseudonyms);

    /// <summary><see cref="PseudonymiseMany(string, ReadOnlySpan{string}, Span{string})"/> of values given as spans (an
    /// empty span is a missing value), so a caller holding the characters need not make a string of each.</summary>
    internal void PseudonymiseMany<TValues>(string domain, TValues values, Span<string> pseudonyms)
        where TValues : IValueSpans, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pseudonyms.Length, values.Count, nameof(pseudonyms));
        var prefixBytes = Encoding.UTF8.GetByteCount(domain) + 1;
        if (_lanes is null || prefixBytes > HmacSha256Lanes.MaxMessageBytes)
        {
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                pseudonyms[i] = value.IsEmpty ? string.Empty : Pseudonymise(domain, value);
            }

            return;
        }

        var lanes = HmacSha256Lanes.Lanes;
        Span<byte> buffer = stackalloc byte[lanes * HmacSha256Lanes.MaxMessageBytes];
        Span<int> starts = stackalloc int[lanes];
        Span<int> lengths = stackalloc int[lanes];
        Span<int> slots = stackalloc int[lanes];
        Span<byte> macs = stackalloc byte[lanes * HmacSha256Lanes.MacBytes];
        Span<byte> prefix = stackalloc byte[prefixBytes];
        Encoding.UTF8.GetBytes(domain, prefix);
        prefix[^1] = 0;
        var pending = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value.IsEmpty)
            {
                pseudonyms[i] = string.Empty;
                continue;
            }

            var trimmed = value.Trim();
            var length = prefixBytes + Encoding.UTF8.GetByteCount(trimmed);
            if (length > HmacSha256Lanes.MaxMessageBytes)
            {
                pseudonyms[i] = Pseudonymise(domain, value);
                continue;
            }

            var start = pending * HmacSha256Lanes.MaxMessageBytes;
            prefix.CopyTo(buffer[start..]);
            Encoding.UTF8.GetBytes(trimmed, buffer[(start + prefixBytes)..]);
            (starts[pending], lengths[pending], slots[pending]) = (start, length, i);
            if (++pending == lanes)
            {
                Complete(pending, buffer, starts, lengths, slots, macs, pseudonyms);
                pending = 0;
            }
        }

        if (pending > 0)
        {
            Complete(pending, buffer, starts, lengths, slots, macs, pseudonyms);
        }
    }

    /// <summary>Computes the pending lanes' MACs and writes each one's pseudonym to its slot.</summary>
    private void Complete(int pending, ReadOnlySpan<byte> buffer, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, ReadOnlySpan<int> slots, Span<byte> macs, Span<string> pseudonyms)
    {
        _lanes!.Compute(buffer, starts[..pending], lengths[..pending], macs);
        for (var k = 0; k < pending; k++)
        {
            pseudonyms[slots[k]] = Convert.ToHexStringLower(macs.Slice(k * HmacSha256Lanes.MacBytes, OutputBytes));
        }
    }

    private IncrementalHash? Take()
    {
        var start = Environment.CurrentManagedThreadId % _spares.Length;
        for (var i = 0; i < _spares.Length; i++)
        {
            if (Interlocked.Exchange(ref _spares[(start + i) % _spares.Length], null) is { } hmac)
            {
                return hmac;
            }
        }

        return null;
    }

    private void Return(IncrementalHash hmac)
    {
        var start = Environment.CurrentManagedThreadId % _spares.Length;
        for (var i = 0; i < _spares.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _spares[(start + i) % _spares.Length], hmac, null) is null)
            {
                return;
            }
        }

        hmac.Dispose();
    }

    /// <summary>The share's estimated person id for an internal (random, never shared) person id.</summary>
    public string PersonId(string internalPersonId) => Pseudonymise(PersonDomain, internalPersonId);
}

/// <summary>Values to pseudonymise, as spans: <see cref="Pseudonymiser.PseudonymiseMany{TValues}"/> reads them without
/// making a string of each.</summary>
internal interface IValueSpans
{
    int Count { get; }

    /// <summary>Value <paramref name="index"/>; empty for a missing value.</summary>
    ReadOnlySpan<char> this[int index] { get; }
}

/// <summary>Strings as <see cref="IValueSpans"/> (null is missing, like empty).</summary>
internal readonly ref struct StringValues(ReadOnlySpan<string> values) : IValueSpans
{
    private readonly ReadOnlySpan<string> _values = values;

    public int Count => _values.Length;

    public ReadOnlySpan<char> this[int index] => _values[index];
}

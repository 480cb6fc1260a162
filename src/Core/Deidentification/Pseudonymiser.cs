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

    public string KeyId => _key.KeyId;

    public string Pseudonymise(string domain, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var max = Encoding.UTF8.GetMaxByteCount(domain.Length + value.Length + 1);
        var rented = max <= 512 ? null : new byte[max];
        Span<byte> input = rented ?? stackalloc byte[max];
        var n = Encoding.UTF8.GetBytes(domain, input);
        input[n++] = 0;
        n += Encoding.UTF8.GetBytes(value.AsSpan().Trim(), input[n..]);
        Span<byte> mac = stackalloc byte[32];
        var hmac = Take() ?? IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Bytes);
        hmac.AppendData(input[..n]);
        hmac.GetHashAndReset(mac);
        Return(hmac);
        return Convert.ToHexStringLower(mac[..OutputBytes]);
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

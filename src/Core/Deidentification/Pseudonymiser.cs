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

    /// <summary>A keyed HMAC kept between calls: reset after each value instead of set up again from the key (half the
    /// cost of the one-shot HMAC). One is kept; a call that finds it taken by another thread makes its own.</summary>
    private IncrementalHash? _spare;

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
        var hmac = Interlocked.Exchange(ref _spare, null) ?? IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key.Bytes);
        hmac.AppendData(input[..n]);
        hmac.GetHashAndReset(mac);
        Interlocked.Exchange(ref _spare, hmac)?.Dispose();
        return Convert.ToHexStringLower(mac[..OutputBytes]);
    }

    /// <summary>The share's estimated person id for an internal (random, never shared) person id.</summary>
    public string PersonId(string internalPersonId) => Pseudonymise(PersonDomain, internalPersonId);
}

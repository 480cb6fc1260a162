using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Meaningless person ids from a seed: id <c>n</c> (1, 2, 3, …) is <c>"p"</c> and the first 12 bytes, in lower-case hex,
/// of HMAC-SHA256(seed, n as 8 little-endian bytes). The seed comes from the run, never from an identifier, so a resumed
/// or repeated run gives the same ids. Ids are made <see cref="HmacSha256Lanes.Lanes"/> at a time on SIMD lanes (the
/// same bytes as the platform's HMAC, a sixth of the time) and handed out one by one; safe to call from several threads.
/// </summary>
internal sealed class SeededPersonIds
{
    private const int IdBytes = 12;
    private readonly byte[] _seed;
    private readonly HmacSha256Lanes? _lanes;
    private readonly string[] _ready = new string[Math.Max(1, HmacSha256Lanes.Lanes)];
    private readonly Lock _lock = new();
    private long _counter;
    private int _next = int.MaxValue; // past the (empty) ready ids: the first call fills them

    public SeededPersonIds(byte[] seed)
    {
        _seed = seed;
        _lanes = HmacSha256Lanes.IsAccelerated ? new HmacSha256Lanes(seed) : null;
    }

    /// <summary>The next id.</summary>
    public string Next()
    {
        lock (_lock)
        {
            if (_next >= _ready.Length)
            {
                Fill();
            }

            return _ready[_next++];
        }
    }

    private void Fill()
    {
        const int counterBytes = sizeof(long);
        var count = _ready.Length;
        Span<byte> messages = stackalloc byte[count * counterBytes];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(messages[(i * counterBytes)..], ++_counter);
        }

        Span<byte> macs = stackalloc byte[count * HmacSha256Lanes.MacBytes];
        if (_lanes is null)
        {
            for (var i = 0; i < count; i++)
            {
                HMACSHA256.HashData(_seed, messages.Slice(i * counterBytes, counterBytes), macs.Slice(i * HmacSha256Lanes.MacBytes, HmacSha256Lanes.MacBytes));
            }
        }
        else
        {
            Span<int> starts = stackalloc int[count];
            Span<int> lengths = stackalloc int[count];
            for (var i = 0; i < count; i++)
            {
                starts[i] = i * counterBytes;
                lengths[i] = counterBytes;
            }

            _lanes.Compute(messages, starts, lengths, macs);
        }

        for (var i = 0; i < count; i++)
        {
            _ready[i] = "p" + Convert.ToHexStringLower(macs.Slice(i * HmacSha256Lanes.MacBytes, IdBytes));
        }

        _next = 0;
    }
}

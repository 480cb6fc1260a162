using DataFirst.Core.Storage;

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes from a seed (xorshift64*), generated on
/// the fly: large test data without holding it in memory. Optionally throws after some bytes.
/// </summary>
public sealed class SeededStream(long length, ulong seed, long? failAfter = null) : ForwardReadStream
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } limit && BytesRead >= limit)
        {
            throw new IOException("Injected failure: the source stream broke mid-upload.");
        }

        var n = (int)Math.Min(buffer.Length, length - BytesRead);
        if (failAfter is { } f)
        {
            n = (int)Math.Min(n, f - BytesRead);
        }

        for (var i = 0; i < n; i++)
        {
            if ((BytesRead + i) % 8 == 0)
            {
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
            }

            buffer[i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> (int)(((BytesRead + i) % 8) * 8));
        }

        BytesRead += n;
        return n;
    }
}

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes from a seed (xorshift64*), generated on
/// the fly: large test data without holding it in memory. Optionally throws after some bytes.
/// </summary>
public sealed class SeededStream(long length, ulong seed, long? failAfter = null) : Stream
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } limit && _position >= limit)
        {
            throw new IOException("Injected failure: the source stream broke mid-upload.");
        }

        var n = (int)Math.Min(buffer.Length, length - _position);
        if (failAfter is { } f)
        {
            n = (int)Math.Min(n, f - _position);
        }

        for (var i = 0; i < n; i++)
        {
            if ((_position + i) % 8 == 0)
            {
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
            }

            buffer[i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> (int)(((_position + i) % 8) * 8));
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

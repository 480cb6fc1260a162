using System.Security.Cryptography;

namespace DataFirst.Core.Storage;

/// <summary>
/// A forward-only read-through stream that counts and SHA-256-hashes what is read from it (for
/// manifests and checksums while streaming, without buffering the content).
/// </summary>
public sealed class HashingReadStream(Stream inner, bool leaveOpen = false) : ForwardReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>SHA-256 of everything read so far.</summary>
    public byte[] GetHash() => _hash.GetCurrentHash();

    /// <summary>Reads what the consumer left unread, so that the hash covers the whole content.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}

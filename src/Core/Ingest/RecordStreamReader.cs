using System.Runtime.CompilerServices;
using System.Text;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Decodes the body of a record set stream (the values <see cref="BinaryWriter"/> wrote: 7-bit encoded integers,
/// length-prefixed UTF-8 strings, little-endian Int32) from its own buffer, so the millions of small integers of a
/// record set cost a few instructions each instead of a virtual <see cref="Stream.ReadByte"/> per byte. It reads
/// ahead: the stream must hold nothing after the record set that someone else will read. Other streams written the same
/// way (term frequencies) are read with it too; <c>kind</c> names the stream in its errors.
/// </summary>
internal sealed class RecordStreamReader(Stream stream, int bufferBytes = 1 << 16, string kind = "record set")
{
    private readonly byte[] _buffer = new byte[Math.Max(bufferBytes, 16)];
    private int _position;
    private int _length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadVarInt()
    {
        // Fast path: the whole value is in the buffer (at most five bytes).
        if (_length - _position >= 5)
        {
            var b = _buffer[_position++];
            if (b < 0x80)
            {
                return b;
            }

            return ReadVarIntTail(b);
        }

        return ReadVarIntSlow();
    }

    public int ReadInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        ReadExactly(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    public double ReadDouble()
    {
        Span<byte> bytes = stackalloc byte[8];
        ReadExactly(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }

    /// <summary>A string written by <see cref="BinaryWriter.Write(string)"/>, decoded into <paramref name="scratch"/>
    /// (grown when too small) instead of a new string: to look a value up before deciding to keep it. The span is
    /// valid until the next call with the same scratch. Decodes as <see cref="ReadString"/> does.</summary>
    public ReadOnlySpan<char> ReadChars(ref char[] scratch)
    {
        var length = ReadLength();
        ReadOnlySpan<byte> bytes;
        if (length <= _buffer.Length)
        {
            while (_length - _position < length)
            {
                if (!Fill())
                {
                    throw EndOfStream();
                }
            }

            bytes = _buffer.AsSpan(_position, length);
            _position += length;
        }
        else
        {
            var whole = new byte[length];
            ReadExactly(whole);
            bytes = whole;
        }

        return DecodeUtf8(bytes, ref scratch);
    }

    /// <summary>UTF-8 <paramref name="bytes"/> decoded into <paramref name="scratch"/> (grown when too small), as
    /// <see cref="Encoding.UTF8"/> would decode them into a string; valid until the next use of the scratch.</summary>
    public static ReadOnlySpan<char> DecodeUtf8(ReadOnlySpan<byte> bytes, ref char[] scratch)
    {
        if (scratch.Length < bytes.Length)
        {
            scratch = new char[Math.Max(bytes.Length, scratch.Length * 2)]; // UTF-8 never has fewer bytes than UTF-16 chars
        }

        return scratch.AsSpan(0, Encoding.UTF8.GetChars(bytes, scratch));
    }

    /// <summary>Reads past a string written by <see cref="BinaryWriter.Write(string)"/>.</summary>
    public void SkipString()
    {
        var length = ReadLength();
        while (length > 0)
        {
            if (_position == _length && !Fill())
            {
                throw EndOfStream();
            }

            var n = Math.Min(length, _length - _position);
            _position += n;
            length -= n;
        }
    }

    /// <summary>A string written by <see cref="BinaryWriter.Write(string)"/>.</summary>
    public string ReadString()
    {
        var length = ReadLength();
        if (length <= _length - _position)
        {
            var text = Encoding.UTF8.GetString(_buffer, _position, length);
            _position += length;
            return text;
        }

        var bytes = new byte[length];
        ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A byte length written by <see cref="BinaryWriter.Write(string)"/> before a string's bytes.</summary>
    public int ReadLength()
    {
        var length = ReadVarInt();
        return length >= 0 ? length : throw new Settings.FormatException($"{kind} stream is corrupt: a string has a negative length.");
    }

    public void ReadExactly(Span<byte> target)
    {
        while (target.Length > 0)
        {
            if (_position == _length && !Fill())
            {
                throw EndOfStream();
            }

            var n = Math.Min(target.Length, _length - _position);
            _buffer.AsSpan(_position, n).CopyTo(target);
            _position += n;
            target = target[n..];
        }
    }

    // Two loops on purpose: this one, for a value wholly in the buffer, has no end-of-buffer check per byte;
    // ReadVarIntSlow refills byte by byte. One loop with the check was about 5 % slower in RecordSetBenchmarks
    // (interleaved runs: 54 and 57 ms against 51 and 53 ms).
    private int ReadVarIntTail(byte first)
    {
        var result = first & 0x7F;
        for (var shift = 7; shift <= 28; shift += 7)
        {
            var b = _buffer[_position++];
            if (shift == 28 && b > 0x0F)
            {
                throw TooLong();
            }

            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw TooLong();
    }

    private int ReadVarIntSlow()
    {
        var result = 0;
        for (var shift = 0; shift <= 28; shift += 7)
        {
            if (_position == _length && !Fill())
            {
                throw EndOfStream();
            }

            var b = _buffer[_position++];
            if (shift == 28 && b > 0x0F)
            {
                throw TooLong();
            }

            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw TooLong();
    }

    private Settings.FormatException TooLong() => new($"{kind} stream is corrupt: a 7-bit encoded integer is too long.");

    private static EndOfStreamException EndOfStream() => new("Unable to read beyond the end of the stream.");

    /// <summary>Moves what is left to the front and reads more; false at the end of the stream.</summary>
    private bool Fill()
    {
        var left = _length - _position;
        Buffer.BlockCopy(_buffer, _position, _buffer, 0, left);
        _position = 0;
        _length = left;
        var read = stream.Read(_buffer, left, _buffer.Length - left);
        _length += read;
        return read > 0;
    }
}

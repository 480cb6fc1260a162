using System.Text;

namespace DataFirst.Core.Ingest;

/// <summary>
/// The records' unique ids as UTF-8 bytes back to back, with one end offset per record. A short id such as a row
/// number takes its bytes plus four, where a string of it takes about 48 (object header, length, UTF-16, reference),
/// and millions of ids are not millions of objects for the garbage collector to trace. The bytes are kept in chunks
/// of at most <see cref="ChunkBytes"/>, an id never split across two, so the total is not bound by one array's limit.
/// Ids can be personal (a case or prison number): never log them.
/// </summary>
internal sealed class UniqueIdColumn
{
    /// <summary>The largest chunk (16 MiB); a chunk starts small and doubles up to this.</summary>
    internal const int ChunkBytes = 1 << 24;

    private readonly byte[][] _chunks;
    private readonly int[] _chunkFirst;
    private readonly int[] _ends;
    private readonly int _absent = -1;

    private UniqueIdColumn(byte[][] chunks, int[] chunkFirst, int[] ends)
    {
        _chunks = chunks;
        _chunkFirst = chunkFirst;
        _ends = ends;
    }

    private UniqueIdColumn(int absent)
        : this([], [0], []) => _absent = absent;

    /// <summary>The ids of <paramref name="count"/> records that were read without them (a step that never needs a
    /// record's id: blocking, estimation, scoring). Asking for one is a defect and throws.</summary>
    public static UniqueIdColumn Absent(int count) => new(count);

    public int Count => _absent >= 0 ? _absent : _ends.Length;

    /// <summary>The UTF-8 bytes of record <paramref name="record"/>'s id.</summary>
    public ReadOnlySpan<byte> Utf8(int record)
    {
        if (_absent >= 0)
        {
            throw new InvalidOperationException("this record set was read without its unique ids (RecordSetConcatenation keepIds: false).");
        }

        var (chunk, start) = Locate(_chunkFirst, _ends, record);
        return _chunks[chunk].AsSpan(start, _ends[record] - start);
    }

    public string this[int record] => Encoding.UTF8.GetString(Utf8(record));

    /// <summary>The ids of <paramref name="records"/>, in that order.</summary>
    public UniqueIdColumn Select(IReadOnlyList<int> records)
    {
        if (_absent >= 0)
        {
            return Absent(records.Count);
        }

        var builder = new Builder(records.Count);
        foreach (var r in records)
        {
            builder.Add(Utf8(r));
        }

        return builder.Build();
    }

    /// <summary>Writes record <paramref name="record"/>'s id as <see cref="BinaryWriter.Write(string)"/> would
    /// (7-bit encoded byte length, then the UTF-8 bytes), so the stream format is the one strings gave.</summary>
    public void Write(BinaryWriter writer, int record)
    {
        var bytes = Utf8(record);
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>The chunk that holds record <paramref name="record"/>'s id and where in it the id starts.</summary>
    private static (int Chunk, int Start) Locate(ReadOnlySpan<int> chunkFirst, int[] ends, int record)
    {
        var chunk = chunkFirst.Length == 1 ? 0 : chunkFirst.BinarySearch(record) is var i && i >= 0 ? i : ~i - 1;
        return (chunk, record == chunkFirst[chunk] ? 0 : ends[record - 1]);
    }

    /// <summary>Fills a column id by id, in record order.</summary>
    internal sealed class Builder
    {
        private readonly List<byte[]> _chunks = [];
        private readonly List<int> _chunkFirst = [];
        private readonly bool _growing;
        private readonly int _chunkBytes;
        private int[] _ends;
        private byte[] _current;
        private int _used;
        private int _count;

        /// <param name="count">The number of ids that will be added; null when it is not known, and the column then
        /// grows as ids are added.</param>
        /// <param name="chunkBytes">The largest chunk (smaller only in tests).</param>
        public Builder(int? count, int chunkBytes = ChunkBytes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 16);
            _growing = count is null;
            _ends = new int[count ?? 1024];
            _chunkBytes = chunkBytes;
            _current = new byte[Math.Clamp(_ends.Length * 8L, 16, chunkBytes)];
            _chunks.Add(_current);
            _chunkFirst.Add(0);
        }

        /// <summary>The ids added so far.</summary>
        public int Count => _count;

        /// <summary>The UTF-8 bytes of the id added <paramref name="record"/>-th (valid until the next is added).</summary>
        public ReadOnlySpan<byte> Utf8(int record)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)record, (uint)_count);
            var (chunk, start) = Locate(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_chunkFirst), _ends, record);
            return _chunks[chunk].AsSpan(start, _ends[record] - start);
        }

        public void Add(ReadOnlySpan<char> id)
        {
            var length = Encoding.UTF8.GetByteCount(id);
            Encoding.UTF8.GetBytes(id, Reserve(length));
        }

        public void Add(ReadOnlySpan<byte> utf8) => utf8.CopyTo(Reserve(utf8.Length));

        /// <summary>Reads one id written by <see cref="Write"/> (or <see cref="BinaryWriter.Write(string)"/>).</summary>
        public void Read(RecordStreamReader reader) => reader.ReadExactly(Reserve(reader.ReadLength()));

        /// <summary>Drops the id added last (its bytes are reused by the next).</summary>
        public void RemoveLast()
        {
            ArgumentOutOfRangeException.ThrowIfZero(_count);
            _count--;
            _used = _count == _chunkFirst[^1] ? 0 : _ends[_count - 1];
        }

        public UniqueIdColumn Build()
        {
            if (_growing)
            {
                Array.Resize(ref _ends, _count);
            }
            else if (_count != _ends.Length)
            {
                throw new InvalidOperationException($"{_count} unique ids were added where {_ends.Length} were announced.");
            }

            TrimCurrent();
            return new UniqueIdColumn(_chunks.ToArray(), _chunkFirst.ToArray(), _ends);
        }

        /// <summary>Room for the next id's <paramref name="length"/> bytes, at the end of the current chunk: it
        /// doubles up to the chunk size, and a full chunk is followed by a new one (an id longer than a
        /// chunk gets one of its own).</summary>
        private Span<byte> Reserve(int length)
        {
            if (_count == _ends.Length)
            {
                if (!_growing)
                {
                    throw new InvalidOperationException($"more unique ids were added than the {_ends.Length} announced.");
                }

                Array.Resize(ref _ends, (int)Math.Min(_ends.Length * 2L, Array.MaxLength));
            }

            var needed = _used + (long)length;
            if (needed > _current.Length)
            {
                if (needed <= _chunkBytes)
                {
                    Array.Resize(ref _current, (int)Math.Min(Math.Max(_current.Length * 2L, needed), _chunkBytes));
                }
                else
                {
                    // The chunk is done: keep only its bytes, and start the next (an empty chunk is replaced instead).
                    var next = new byte[Math.Max(length, _chunkBytes)];
                    if (_used > 0)
                    {
                        TrimCurrent();
                        _chunks.Add(next);
                        _chunkFirst.Add(_count);
                    }

                    _current = next;
                    _used = 0;
                }

                _chunks[^1] = _current;
            }

            var span = _current.AsSpan(_used, length);
            _used += length;
            _ends[_count++] = _used;
            return span;
        }

        /// <summary>Keeps only the bytes the current chunk holds.</summary>
        private void TrimCurrent()
        {
            if (_used < _current.Length)
            {
                Array.Resize(ref _current, _used);
                _chunks[^1] = _current;
            }
        }
    }
}

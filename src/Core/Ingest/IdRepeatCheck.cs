using System.Text;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Finds a unique id that repeats one seen earlier, holding the ids as UTF-8 bytes (a growing
/// <see cref="UniqueIdColumn.Builder"/>) and a set of their positions: about 30 bytes an id where a set of strings
/// takes about 70. Ids can be personal (a case or prison number): never log them.
/// </summary>
internal sealed class IdRepeatCheck
{
    private readonly UniqueIdColumn.Builder _ids = new(count: null);
    private readonly HashSet<int> _positions;
    private readonly bool _grouped;

    /// <param name="group">The group (for example the source dataset) of the id at a position: ids repeat only within
    /// a group. Null: one group. It is asked only for positions already added, and for the one being added.</param>
    public IdRepeatCheck(Func<int, int>? group = null)
    {
        _positions = new HashSet<int>(new SameId(_ids, group));
        _grouped = group is not null;
    }

    /// <summary>The ids kept (every id added but the repeats).</summary>
    public int Count => _ids.Count;

    /// <summary>Adds <paramref name="id"/> at position <see cref="Count"/>. Returns -1 when it is new; when it repeats
    /// an earlier id, returns that id's position and does not keep the repeat.</summary>
    public int Add(ReadOnlySpan<char> id)
    {
        var position = _ids.Count;
        _ids.Add(id);
        if (_positions.Add(position))
        {
            return -1;
        }

        _positions.TryGetValue(position, out var earlier);
        _ids.RemoveLast();
        return earlier;
    }

    /// <summary>The position of <paramref name="id"/>: the earlier one where it repeats, else the new one.</summary>
    public int Intern(ReadOnlySpan<char> id) => Add(id) is var earlier and >= 0 ? earlier : Count - 1;

    /// <summary>The position of <paramref name="utf8"/>, or -1. It only reads, so several threads may look up at once
    /// while no id is being added. Not for a check with groups (an id's position depends on its group).</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        if (_grouped)
        {
            throw new InvalidOperationException("IndexOf looks up ids without groups.");
        }

        return _positions.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(utf8, out var position) ? position : -1;
    }

    /// <summary>As <see cref="IndexOf(ReadOnlySpan{byte})"/>, for an id as text.</summary>
    public int IndexOf(ReadOnlySpan<char> id)
    {
        var length = Encoding.UTF8.GetByteCount(id);
        var rented = length > 256 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> utf8 = rented ?? stackalloc byte[256];
            return IndexOf(utf8[..Encoding.UTF8.GetBytes(id, utf8)]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The UTF-8 bytes of the id kept at <paramref name="position"/> (valid until the next is added).</summary>
    public ReadOnlySpan<byte> Utf8(int position) => _ids.Utf8(position);

    /// <summary>The ids kept, in the order they were added.</summary>
    public UniqueIdColumn Build() => _ids.Build();

    private sealed class SameId(UniqueIdColumn.Builder ids, Func<int, int>? group) : IEqualityComparer<int>, IAlternateEqualityComparer<ReadOnlySpan<byte>, int>
    {
        public bool Equals(ReadOnlySpan<byte> alternate, int other) => ids.Utf8(other).SequenceEqual(alternate);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public int Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException("Ids are added by Add, not through a lookup.");

        public bool Equals(int x, int y) =>
            (group is null || group(x) == group(y)) && ids.Utf8(x).SequenceEqual(ids.Utf8(y));

        public int GetHashCode(int position)
        {
            var hash = default(HashCode);
            if (group is not null)
            {
                hash.Add(group(position));
            }

            hash.AddBytes(ids.Utf8(position));
            return hash.ToHashCode();
        }
    }
}

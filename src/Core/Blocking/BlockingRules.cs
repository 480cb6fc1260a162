using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Blocking;

/// <summary>A blocking rule bound to a record set: per-record key codes, null test, equality and a stable hash.</summary>
internal sealed class BoundRule
{
    private readonly int[][] codes;

    public BoundRule(RecordSet records, IReadOnlyList<string> columns, int index, string kind)
    {
        Columns = columns;
        Index = index;
        Name = $"{kind}[{index}] ({string.Join(" = ", columns)})";
        var cols = new int[columns.Count];
        for (var i = 0; i < cols.Length; i++)
        {
            if (!records.HasColumn(columns[i]))
            {
                throw new DataException($"blocking rule {Name}: column '{columns[i]}' is not in the data; columns: {string.Join(", ", records.ColumnNames)}.");
            }

            cols[i] = records.ColumnIndex(columns[i]);
        }

        codes = cols.Select(c => records.Codes[c]).ToArray();
        dictionaries = cols.Select(c => records.Dictionaries[c]).ToArray();
    }

    private readonly string[][] dictionaries;
    private ulong[][]? valueHashes;

    /// <summary>In-process block key of a record from its codes (not stable across record sets; use
    /// <see cref="Hash"/> for that). One or two columns give an exact key; more are mixed (collisions are
    /// harmless: pairs are checked with <see cref="SameKey"/>).</summary>
    public ulong CodeKey(int r)
    {
        if (codes.Length == 1)
        {
            return (uint)codes[0][r];
        }

        if (codes.Length == 2)
        {
            return ((ulong)(uint)codes[0][r] << 32) | (uint)codes[1][r];
        }

        ulong h = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < codes.Length; i++)
        {
            h = (h ^ (uint)codes[i][r]) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
        }

        return h;
    }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Per key column, the record codes.</summary>
    public IReadOnlyList<int[]> ColumnCodes => codes;

    public int DictionarySize(int column) => dictionaries[column].Length;

    public int Index { get; }

    public string Name { get; }

    public bool IsNull(int r)
    {
        foreach (var c in codes)
        {
            if (c[r] == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Both keys non-null and equal.</summary>
    public bool SameKey(int a, int b)
    {
        foreach (var c in codes)
        {
            var x = c[a];
            if (x == 0 || x != c[b])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Hash of the key's values: stable across processes and record sets (FNV-1a over the text).</summary>
    public ulong Hash(int r)
    {
        var valueHashes = this.valueHashes ??= dictionaries.Select(HashDictionary).ToArray();
        ulong h = 14695981039346656037UL;
        for (var i = 0; i < codes.Length; i++)
        {
            h = (h ^ valueHashes[i][codes[i][r]]) * 1099511628211UL;
            h ^= h >> 29;
        }

        return h;
    }

    private static ulong[] HashDictionary(string[] dict)
    {
        var result = new ulong[dict.Length];
        for (var k = 1; k < dict.Length; k++)
        {
            ulong h = 14695981039346656037UL;
            foreach (var ch in dict[k])
            {
                h = (h ^ ch) * 1099511628211UL;
            }

            result[k] = h;
        }

        return result;
    }
}

/// <summary>Visits candidate pairs (record indices within the record set).</summary>
internal interface IPairVisitor
{
    void Visit(int a, int b);
}

/// <summary>Enumerates the pairs of one blocking rule over a record set, excluding pairs an earlier rule
/// produced and pairs the link type rules out. Blocks above the limit throw or are skipped.</summary>
internal sealed class PairEnumerator
{
    private readonly RecordSet records;
    private readonly BoundRule[] rules;
    private readonly LinkType linkType;
    private readonly int maxBlockSize;
    private readonly OversizedBlockAction oversized;

    public PairEnumerator(RecordSet records, IReadOnlyList<IReadOnlyList<string>> rules, string kind, LinkType linkType, int maxBlockSize, OversizedBlockAction oversized)
    {
        this.records = records;
        this.rules = rules.Select((r, i) => new BoundRule(records, r, i, kind)).ToArray();
        this.linkType = linkType;
        this.maxBlockSize = maxBlockSize;
        this.oversized = oversized;
    }

    public BoundRule Rule(int index) => rules[index];

    /// <summary>Blocks of rule <paramref name="ruleIndex"/> (records sharing a key, size ≥ 2), found by a stable counting
    /// sort per key column (linear in the records; no hashing, no collisions, no allocation per block).</summary>
    public BlockSet Blocks(int ruleIndex)
    {
        var rule = rules[ruleIndex];
        var n = records.Count;
        var items = new int[n];
        var m = 0;
        for (var r = 0; r < n; r++)
        {
            if (!rule.IsNull(r))
            {
                items[m++] = r;
            }
        }

        var scratch = new int[m];
        for (var c = rule.ColumnCodes.Count - 1; c >= 0; c--)
        {
            var codes = rule.ColumnCodes[c];
            var counts = new int[rule.DictionarySize(c) + 1];
            for (var i = 0; i < m; i++)
            {
                counts[codes[items[i]] + 1]++;
            }

            for (var k = 1; k < counts.Length; k++)
            {
                counts[k] += counts[k - 1];
            }

            for (var i = 0; i < m; i++)
            {
                var it = items[i];
                scratch[counts[codes[it]]++] = it;
            }

            (items, scratch) = (scratch, items);
        }

        var starts = new List<int>();
        var outItems = new int[m];
        var o = 0;
        var a = 0;
        while (a < m)
        {
            var b = a + 1;
            while (b < m && rule.SameKey(items[a], items[b]))
            {
                b++;
            }

            if (b - a >= 2)
            {
                starts.Add(o);
                Array.Copy(items, a, outItems, o, b - a);
                o += b - a;
            }

            a = b;
        }

        starts.Add(o);
        return new BlockSet(outItems, starts.ToArray());
    }

    /// <summary>Runs <paramref name="body"/>(first block, end block, state) over ranges of blocks in parallel with a
    /// state per worker, then <paramref name="merge"/> on each state.</summary>
    public static void ForEachRange<TState>(BlockSet blocks, Func<TState> init, Func<int, int, TState, TState> body, Action<TState> merge, int maxDegreeOfParallelism = -1)
    {
        var count = blocks.Count;
        if (count == 0)
        {
            return;
        }

        var chunk = Math.Max(1, count / (Environment.ProcessorCount * 16));
        var chunks = (count + chunk - 1) / chunk;
        CpuParallelism.Run(() => Parallel.For(0, chunks, CpuParallelism.Options(maxDegreeOfParallelism), init, (i, _, state) => body(i * chunk, Math.Min(count, (i + 1) * chunk), state), merge));
    }

    /// <summary>Checks a block against the limit; false when it must be skipped (a warning is added).</summary>
    public bool Admit(int ruleIndex, ReadOnlySpan<int> block, ICollection<string>? warnings)
    {
        if (block.Length <= maxBlockSize)
        {
            return true;
        }

        var rule = rules[ruleIndex];
        var pairs = (long)block.Length * (block.Length - 1) / 2;
        var message = $"blocking rule {rule.Name}: a block of {block.Length} records ({pairs} comparisons) exceeds max_block_size {maxBlockSize}. Add a column to the rule or raise max_block_size.";
        if (oversized == OversizedBlockAction.Error)
        {
            throw new BlockingException(message);
        }

        lock (warnings ?? (object)this)
        {
            warnings?.Add(message + " The block was skipped.");
        }

        return false;
    }

    /// <summary>Visits the pairs of one block of <see cref="Blocks"/> for rule <paramref name="ruleIndex"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public long VisitBlock<TVisitor>(int ruleIndex, ReadOnlySpan<int> block, ref TVisitor visitor, bool excludeEarlier = true)
        where TVisitor : struct, IPairVisitor
    {
        var rule = rules[ruleIndex];
        var src = records.SourceCodes;
        long count = 0;
        var linkOnly = linkType == LinkType.LinkOnly;
        var earlier = excludeEarlier ? ruleIndex : 0;
        for (var x = 0; x < block.Length; x++)
        {
            var a = block[x];
            for (var y = x + 1; y < block.Length; y++)
            {
                var b = block[y];
                if (linkOnly && src[a] == src[b])
                {
                    continue;
                }

                // Blocks come from Blocks(): exact keys (counting sort on the codes), so no key check is needed here.
                System.Diagnostics.Debug.Assert(rule.SameKey(a, b), "blocks hold records with equal keys");
                var skip = false;
                for (var e = 0; e < earlier; e++)
                {
                    if (rules[e].SameKey(a, b))
                    {
                        skip = true;
                        break;
                    }
                }

                if (skip)
                {
                    continue;
                }

                count++;
                visitor.Visit(a, b);
            }
        }

        return count;
    }
}

/// <summary>Blocks as one flat array of record indices plus start offsets (block i = items[starts[i]..starts[i+1])).</summary>
internal sealed class BlockSet(int[] items, int[] starts)
{
    public int Count => starts.Length - 1;

    public ReadOnlySpan<int> this[int index] => items.AsSpan(starts[index], starts[index + 1] - starts[index]);

    public int Size(int index) => starts[index + 1] - starts[index];

    public IEnumerable<int> Sizes()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return Size(i);
        }
    }
}

using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Blocking;

/// <summary>A blocking rule bound to a record set: per-record key codes, null test, equality and a stable hash.</summary>
internal sealed class BoundRule
{
    private readonly int[][] codes;
    private readonly ulong[][] valueHashes;

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
        valueHashes = cols.Select(c => HashDictionary(records.Dictionaries[c])).ToArray();
    }

    public IReadOnlyList<string> Columns { get; }

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

    /// <summary>Blocks of rule <paramref name="ruleIndex"/>: each array holds the records of one key (size ≥ 2).</summary>
    public List<int[]> Blocks(int ruleIndex)
    {
        var rule = rules[ruleIndex];
        var n = records.Count;
        var keyed = new List<(ulong Hash, int Record)>(n);
        for (var r = 0; r < n; r++)
        {
            if (!rule.IsNull(r))
            {
                keyed.Add((rule.Hash(r), r));
            }
        }

        keyed.Sort();
        var blocks = new List<int[]>();
        var i = 0;
        while (i < keyed.Count)
        {
            var j = i + 1;
            while (j < keyed.Count && keyed[j].Hash == keyed[i].Hash)
            {
                j++;
            }

            if (j - i >= 2)
            {
                var block = new int[j - i];
                for (var k = i; k < j; k++)
                {
                    block[k - i] = keyed[k].Record;
                }

                blocks.Add(block);
            }

            i = j;
        }

        return blocks;
    }

    /// <summary>Checks a block against the limit; false when it must be skipped (a warning is added).</summary>
    public bool Admit(int ruleIndex, int[] block, ICollection<string>? warnings)
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

    /// <summary>Visits the pairs of one block for rule <paramref name="ruleIndex"/>.</summary>
    public long VisitBlock<TVisitor>(int ruleIndex, int[] block, ref TVisitor visitor, bool excludeEarlier = true)
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

                if (!rule.SameKey(a, b))
                {
                    continue; // hash collision
                }

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

using System.Security.Cryptography;

namespace DataFirst.Core.Deidentification;

/// <summary>A record of the run: its dataset and its row id in that dataset's extract.</summary>
public readonly record struct RecordKey(string Dataset, string RowId)
{
    /// <summary>Dataset, then row id, both ordinal: the order a saved person-id mapping is written in (the
    /// linking dataset streams it in this order) and the order clustering hands records to the assigner.</summary>
    public static IComparer<RecordKey> Order { get; } = Comparer<RecordKey>.Create(static (a, b) =>
        string.CompareOrdinal(a.Dataset, b.Dataset) is var d and not 0 ? d : string.CompareOrdinal(a.RowId, b.RowId));
}

/// <summary>
/// Gives every estimated person (cluster) a meaningless id, stable across refreshes.
/// A current cluster keeps the previous id P when every current record that had an id had P, and
/// no current record of P lies in another cluster. Otherwise: no previous record → new person;
/// records of two or more previous people → merge (new id); P's records now spread over two or
/// more clusters → split (each piece gets a new id). New ids are 128-bit random values, never
/// derived from any identifier, and never reuse a previous id.
/// </summary>
public sealed class PersonIdAssigner(Func<string>? newId = null)
{
    private readonly Func<string> _newId = newId ?? RandomId;

    public static string RandomId() => "p" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <param name="currentClusters">Every record of the run → its cluster id from clustering.</param>
    /// <param name="previous">The previous run's record → person id mapping (empty on the first run).</param>
    public PersonIdAssignment Assign(IEnumerable<KeyValuePair<RecordKey, string>> currentClusters, IReadOnlyDictionary<RecordKey, string>? previous)
    {
        ArgumentNullException.ThrowIfNull(currentClusters);
        var pairs = currentClusters.ToArray();
        var records = new RecordKey[pairs.Length];
        var clusterOf = new int[pairs.Length];
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i++)
        {
            records[i] = pairs[i].Key;
            ref var number = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(numbers, pairs[i].Value, out var exists);
            if (!exists)
            {
                number = numbers.Count - 1;
            }

            clusterOf[i] = number;
        }

        Array.Sort(records, clusterOf, RecordKey.Order);
        return Assign(records, clusterOf, previous);
    }

    /// <summary>
    /// The same over arrays, for a national run: <paramref name="records"/> sorted by <see cref="RecordKey.Order"/> (each
    /// once), <paramref name="clusterOf"/>[i] the cluster of records[i] (any non-negative numbers). Holds a few numbers per
    /// record and no hash table of records; the mapping it returns is the sorted records with their person ids.
    /// </summary>
    public PersonIdAssignment Assign(RecordKey[] records, int[] clusterOf, IReadOnlyDictionary<RecordKey, string>? previous)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(clusterOf);
        if (records.Length != clusterOf.Length)
        {
            throw new ArgumentException($"{records.Length} records but {clusterOf.Length} cluster numbers.", nameof(clusterOf));
        }

        previous ??= new Dictionary<RecordKey, string>();
        var n = records.Length;
        var maxCluster = -1;
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && RecordKey.Order.Compare(records[i - 1], records[i]) is var sign and >= 0)
            {
                throw sign == 0
                    ? new DeidentificationException($"A record of dataset '{records[i].Dataset}' appears twice in the cluster assignment; each record must belong to exactly one cluster.")
                    : new ArgumentException("records must be sorted by RecordKey.Order.", nameof(records));
            }

            maxCluster = Math.Max(maxCluster, clusterOf[i] >= 0 ? clusterOf[i] : throw new ArgumentOutOfRangeException(nameof(clusterOf), "cluster numbers are non-negative."));
        }

        // Clusters numbered by their first record in record order (fresh ids are drawn in that order), then grouped.
        var local = new int[maxCluster + 1];
        Array.Fill(local, -1);
        var clusters = 0;
        var members = new int[n];
        for (var i = 0; i < n; i++)
        {
            ref var c = ref local[clusterOf[i]];
            if (c < 0)
            {
                c = clusters++;
            }

            members[i] = c;
        }

        var starts = new int[clusters + 1];
        foreach (var c in members)
        {
            starts[c + 1]++;
        }

        for (var c = 0; c < clusters; c++)
        {
            starts[c + 1] += starts[c];
        }

        var order = new int[n];
        var next = starts[..^1];
        for (var i = 0; i < n; i++)
        {
            order[next[members[i]]++] = i;
        }

        ReadOnlySpan<int> Members(int c) => order.AsSpan(starts[c], starts[c + 1] - starts[c]);

        // Where did each previous person's records go?
        var previousPlacement = new Dictionary<string, (int Cluster, bool Split)>(StringComparer.Ordinal);
        if (previous.Count > 0)
        {
            for (var c = 0; c < clusters; c++)
            {
                foreach (var r in Members(c))
                {
                    if (!previous.TryGetValue(records[r], out var p))
                    {
                        continue;
                    }

                    if (!previousPlacement.TryGetValue(p, out var placement))
                    {
                        previousPlacement[p] = (c, false);
                    }
                    else if (!placement.Split && placement.Cluster != c)
                    {
                        previousPlacement[p] = (placement.Cluster, true);
                    }
                }
            }
        }

        var used = new HashSet<string>(previous.Values, StringComparer.Ordinal);
        var previousPersons = used.Count;
        var personIds = new string[n];
        int kept = 0, created = 0, splitClusters = 0, mergedClusters = 0;
        var mergedPrevious = new HashSet<string>(StringComparer.Ordinal);
        var previousIds = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < clusters; c++)
        {
            previousIds.Clear();
            if (previous.Count > 0)
            {
                foreach (var r in Members(c))
                {
                    if (previous.TryGetValue(records[r], out var p))
                    {
                        previousIds.Add(p);
                    }
                }
            }

            string personId;
            if (previousIds.Count == 0)
            {
                personId = Fresh(used);
                created++;
            }
            else if (previousIds.Count > 1)
            {
                personId = Fresh(used);
                mergedClusters++;
                mergedPrevious.UnionWith(previousIds);
            }
            else
            {
                var p = previousIds.First();
                if (previousPlacement[p].Split)
                {
                    personId = Fresh(used);
                    splitClusters++;
                }
                else
                {
                    personId = p;
                    kept++;
                }
            }

            foreach (var r in Members(c))
            {
                personIds[r] = personId;
            }
        }

        var present = previousPlacement.Count;
        var report = new PersonIdReport(
            Records: n,
            Clusters: clusters,
            Kept: kept,
            New: created,
            SplitClusters: splitClusters,
            MergedClusters: mergedClusters,
            PreviousPersons: previousPersons,
            PreviousPersonsPresent: present,
            PreviousPersonsSplit: previousPlacement.Count(p => p.Value.Split),
            PreviousPersonsMerged: mergedPrevious.Count,
            KeptShare: present == 0 ? 1.0 : (double)kept / present);
        return new PersonIdAssignment(new SortedRecordMap(records, personIds), report);
    }

    private string Fresh(HashSet<string> used)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var id = _newId();
            if (used.Add(id))
            {
                return id;
            }
        }

        throw new DeidentificationException("The person id generator returned 100 ids already in use; it must return fresh random ids.");
    }
}

public sealed record PersonIdAssignment(IReadOnlyDictionary<RecordKey, string> Mapping, PersonIdReport Report);

/// <summary>
/// Records sorted by <see cref="RecordKey.Order"/>, each with a value: a read-only map without a hash table (lookups by
/// binary search), enumerated in record order. What <see cref="PersonIdAssigner"/> returns.
/// </summary>
public sealed class SortedRecordMap : IReadOnlyDictionary<RecordKey, string>
{
    private readonly RecordKey[] _keys;
    private readonly string[] _values;

    internal SortedRecordMap(RecordKey[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;

    public IEnumerable<RecordKey> Keys => _keys;

    public IEnumerable<string> Values => _values;

    /// <summary>The records in order (dataset, then row id).</summary>
    public IReadOnlyList<RecordKey> Records => _keys;

    /// <summary>The values, aligned with <see cref="Records"/>.</summary>
    public IReadOnlyList<string> RecordValues => _values;

    public string this[RecordKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException("The record is not in the mapping.");

    public bool ContainsKey(RecordKey key) => Array.BinarySearch(_keys, key, RecordKey.Order) >= 0;

    public bool TryGetValue(RecordKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
    {
        var i = Array.BinarySearch(_keys, key, RecordKey.Order);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<RecordKey, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<RecordKey, string>(_keys[i], _values[i]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// What happened to person ids in a run. <see cref="KeptShare"/> = kept / previous people still
/// present: the share of persisting people who kept their id.
/// </summary>
public sealed record PersonIdReport(
    int Records,
    int Clusters,
    int Kept,
    int New,
    int SplitClusters,
    int MergedClusters,
    int PreviousPersons,
    int PreviousPersonsPresent,
    int PreviousPersonsSplit,
    int PreviousPersonsMerged,
    double KeptShare);

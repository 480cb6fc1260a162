using System.Security.Cryptography;
using DataFirst.Core.Ingest;

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
    /// The same over arrays: <paramref name="records"/> sorted by <see cref="RecordKey.Order"/> (each once),
    /// <paramref name="clusterOf"/>[i] the cluster of records[i] (any non-negative numbers); the mapping it returns is the
    /// sorted records with their person ids. A pipeline run does not hold a key per record: it goes through
    /// <see cref="PersonIdMappingStore"/> with a <see cref="RecordOrder"/> and <see cref="AssignClusters"/>.
    /// </summary>
    public PersonIdAssignment Assign(RecordKey[] records, int[] clusterOf, IReadOnlyDictionary<RecordKey, string>? previous)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(clusterOf);
        if (records.Length != clusterOf.Length)
        {
            throw new ArgumentException($"{records.Length} records but {clusterOf.Length} cluster numbers.", nameof(clusterOf));
        }

        var n = records.Length;
        for (var i = 0; i < n; i++)
        {
            if (i > 0 && RecordKey.Order.Compare(records[i - 1], records[i]) is var sign and >= 0)
            {
                throw sign == 0
                    ? AppearsTwice(records[i].Dataset)
                    : new ArgumentException("records must be sorted by RecordKey.Order.", nameof(records));
            }
        }

        var persons = new IdRepeatCheck();
        int[]? previousPerson = null;
        if (previous is { Count: > 0 })
        {
            foreach (var p in previous.Values)
            {
                persons.Intern(p);
            }

            previousPerson = new int[n];
            for (var i = 0; i < n; i++)
            {
                previousPerson[i] = previous.TryGetValue(records[i], out var p) ? persons.Intern(p) : -1;
            }
        }

        var clusters = AssignClusters(clusterOf, null, previousPerson, persons);
        var ids = new string[clusters.PersonOfCluster.Length];
        var personIds = new string[n];
        for (var i = 0; i < n; i++)
        {
            var c = clusters.Number(i);
            personIds[i] = ids[c] ??= System.Text.Encoding.UTF8.GetString(persons.Utf8(clusters.PersonOfCluster[c]));
        }

        return new PersonIdAssignment(new SortedRecordMap(records, personIds), clusters.Report);
    }

    /// <summary>
    /// The assignment over positions, holding a few numbers per record and per cluster: place k of the record order
    /// is in cluster <paramref name="clusterOf"/>[<paramref name="order"/>[k]] (or [k] without an order), and had
    /// previous person <paramref name="previousPerson"/>[k] (a position in <paramref name="persons"/>; -1 for none;
    /// null on a first run). <paramref name="persons"/> holds every previous person id (and only those) on entry; each
    /// fresh id is added to it. Clusters are numbered by their first place in the order, and fresh ids drawn in that
    /// order, so a repeated run gives the same ids.
    /// </summary>
    internal ClusterPersons AssignClusters(int[] clusterOf, int[]? order, int[]? previousPerson, IdRepeatCheck persons)
    {
        var n = order?.Length ?? clusterOf.Length;
        var maxCluster = -1;
        foreach (var c in clusterOf)
        {
            maxCluster = Math.Max(maxCluster, c >= 0 ? c : throw new ArgumentOutOfRangeException(nameof(clusterOf), "cluster numbers are non-negative."));
        }

        var number = new int[maxCluster + 1];
        Array.Fill(number, -1);
        var clusters = 0;
        for (var k = 0; k < n; k++)
        {
            ref var c = ref number[clusterOf[order?[k] ?? k]];
            if (c < 0)
            {
                c = clusters++;
            }
        }

        int Cluster(int k) => number[clusterOf[order?[k] ?? k]];

        // Where did each previous person's records go, and which previous people does each cluster hold?
        var previousPersons = persons.Count;
        var firstCluster = new int[previousPersons];
        Array.Fill(firstCluster, -1);
        var split = new bool[previousPersons];
        var merged = new bool[previousPersons];
        const int NoPrevious = -1, SeveralPrevious = -2;
        var previousOf = new int[previousPerson is null ? 0 : clusters];
        Array.Fill(previousOf, NoPrevious);
        if (previousPerson is not null)
        {
            for (var k = 0; k < n; k++)
            {
                var p = previousPerson[k];
                if (p < 0)
                {
                    continue;
                }

                var c = Cluster(k);
                if (firstCluster[p] < 0)
                {
                    firstCluster[p] = c;
                }
                else if (firstCluster[p] != c)
                {
                    split[p] = true;
                }

                ref var held = ref previousOf[c];
                held = held == NoPrevious || held == p ? p : SeveralPrevious;
            }

            for (var k = 0; k < n; k++)
            {
                if (previousPerson[k] >= 0 && previousOf[Cluster(k)] == SeveralPrevious)
                {
                    merged[previousPerson[k]] = true;
                }
            }
        }

        var personOf = new int[clusters];
        int kept = 0, created = 0, splitClusters = 0, mergedClusters = 0;
        for (var c = 0; c < clusters; c++)
        {
            var p = previousPerson is null ? NoPrevious : previousOf[c];
            if (p >= 0 && !split[p])
            {
                personOf[c] = p;
                kept++;
                continue;
            }

            personOf[c] = Fresh(persons);
            _ = p == NoPrevious ? created++ : p == SeveralPrevious ? mergedClusters++ : splitClusters++;
        }

        var present = firstCluster.Count(c => c >= 0);
        var report = new PersonIdReport(
            Records: n,
            Clusters: clusters,
            Kept: kept,
            New: created,
            SplitClusters: splitClusters,
            MergedClusters: mergedClusters,
            PreviousPersons: previousPersons,
            PreviousPersonsPresent: present,
            PreviousPersonsSplit: split.Count(x => x),
            PreviousPersonsMerged: merged.Count(x => x),
            KeptShare: present == 0 ? 1.0 : (double)kept / present);
        return new ClusterPersons(number, clusterOf, order, personOf, report);
    }

    /// <summary>The error for a record given twice (its dataset only: a row id can be personal).</summary>
    internal static DeidentificationException AppearsTwice(string dataset) =>
        new($"A record of dataset '{dataset}' appears twice in the cluster assignment; each record must belong to exactly one cluster.");

    /// <summary>A fresh id, added to <paramref name="persons"/> (its position there).</summary>
    private int Fresh(IdRepeatCheck persons)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (persons.Add(_newId()) < 0)
            {
                return persons.Count - 1;
            }
        }

        throw new DeidentificationException("The person id generator returned 100 ids already in use; it must return fresh random ids.");
    }
}

/// <summary>What <see cref="PersonIdAssigner.AssignClusters"/> gives: each place's cluster number, each cluster's person
/// (a position in the person table) and the report.</summary>
internal sealed class ClusterPersons(int[] number, int[] clusterOf, int[]? order, int[] personOfCluster, PersonIdReport report)
{
    public int[] PersonOfCluster { get; } = personOfCluster;

    public PersonIdReport Report { get; } = report;

    /// <summary>The cluster number of place <paramref name="k"/> of the order.</summary>
    public int Number(int k) => number[clusterOf[order?[k] ?? k]];
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
/// What happened to person ids in a run. Every cluster is one of kept, new, split or merged, so
/// <see cref="Kept"/> + <see cref="New"/> + <see cref="SplitClusters"/> + <see cref="MergedClusters"/> = <see cref="Clusters"/>.
/// <see cref="KeptShare"/> = kept / previous people still present: the share of persisting people who kept their id.
/// <see cref="RecordsChanged"/>: records whose (dataset, row id) the previous run had, but with another record check
/// (<see cref="RecordChecks"/>): another record under that row id, so no id was carried over from it.
/// <see cref="RecordsUnchecked"/>: records whose id was carried over by (dataset, row id) alone, as the previous run
/// saved no checks to compare (saved before checks were kept, or with another key or other columns).
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
    double KeptShare,
    int RecordsChanged = 0,
    int RecordsUnchecked = 0);

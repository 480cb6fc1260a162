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
        previous ??= new Dictionary<RecordKey, string>();

        var clusters = new Dictionary<string, List<RecordKey>>(StringComparer.Ordinal);
        var recordCount = 0;
        var seen = new HashSet<RecordKey>();
        foreach (var (record, cluster) in currentClusters)
        {
            if (!seen.Add(record))
            {
                throw new DeidentificationException($"Record ({record.Dataset}, row {recordCount + 1} of the cluster list) appears twice in the cluster assignment; each record must belong to exactly one cluster.");
            }

            if (!clusters.TryGetValue(cluster, out var list))
            {
                clusters[cluster] = list = [];
            }

            list.Add(record);
            recordCount++;
        }

        seen.Clear();

        // Where did each previous person's records go?
        var previousPlacement = new Dictionary<string, (string Cluster, bool Split)>(StringComparer.Ordinal);
        foreach (var (clusterId, records) in clusters)
        {
            foreach (var record in records)
            {
                if (!previous.TryGetValue(record, out var p))
                {
                    continue;
                }

                if (!previousPlacement.TryGetValue(p, out var placement))
                {
                    previousPlacement[p] = (clusterId, false);
                }
                else if (!placement.Split && placement.Cluster != clusterId)
                {
                    previousPlacement[p] = (placement.Cluster, true);
                }
            }
        }

        var used = new HashSet<string>(previous.Values, StringComparer.Ordinal);
        var previousPersons = used.Count;
        var mapping = new Dictionary<RecordKey, string>(recordCount);
        int kept = 0, created = 0, splitClusters = 0, mergedClusters = 0;
        var mergedPrevious = new HashSet<string>(StringComparer.Ordinal);
        var previousIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, records) in clusters)
        {
            previousIds.Clear();
            foreach (var record in records)
            {
                if (previous.TryGetValue(record, out var p))
                {
                    previousIds.Add(p);
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

            foreach (var record in records)
            {
                mapping[record] = personId;
            }
        }

        var present = previousPlacement.Count;
        var report = new PersonIdReport(
            Records: recordCount,
            Clusters: clusters.Count,
            Kept: kept,
            New: created,
            SplitClusters: splitClusters,
            MergedClusters: mergedClusters,
            PreviousPersons: previousPersons,
            PreviousPersonsPresent: present,
            PreviousPersonsSplit: previousPlacement.Count(p => p.Value.Split),
            PreviousPersonsMerged: mergedPrevious.Count,
            KeptShare: present == 0 ? 1.0 : (double)kept / present);
        return new PersonIdAssignment(mapping, report);
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

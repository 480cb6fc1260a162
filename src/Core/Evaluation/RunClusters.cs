using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Evaluation;

/// <summary>A record of a run's output: its source dataset ("" when the file names none) and its unique id.</summary>
public readonly record struct RecordRef(string Dataset, string Id);

/// <summary>
/// A run's clusters.csv read back for evaluation (unique_id, cluster_id, and source_dataset when present), keyed by
/// (source dataset, unique id): in a link run two datasets may use the same ids, and keying by the id alone would let
/// one record's cluster overwrite the other's and score a wrong answer without a word. Truth rows, labelled pairs and
/// predictions name their records through <see cref="Resolve"/>, which needs a dataset only when an id is in more than
/// one dataset of the run, and then fails naming the line rather than guessing; a dataset the run lacks fails too.
/// </summary>
public sealed class RunClusters
{
    private readonly Dictionary<RecordRef, string> _clusterOf;
    private readonly Dictionary<string, string[]> _datasetsOfId;
    private readonly HashSet<string> _datasets;

    private RunClusters(List<RecordRef> records, Dictionary<RecordRef, string> clusterOf)
    {
        Records = records;
        _clusterOf = clusterOf;
        _datasets = records.Select(r => r.Dataset).ToHashSet(StringComparer.Ordinal);
        Datasets = _datasets.Order(StringComparer.Ordinal).ToList();
        _datasetsOfId = Datasets.Count <= 1
            ? []
            : records.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Dataset).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The records, in file order.</summary>
    public IReadOnlyList<RecordRef> Records { get; }

    /// <summary>The source datasets, ordinal order (one "" when the file has no source_dataset column).</summary>
    public IReadOnlyList<string> Datasets { get; }

    /// <summary>Reads clusters.csv; a (source dataset, unique id) given twice fails naming both lines.</summary>
    public static RunClusters Read(string path, string source)
    {
        using var file = CsvColumnFile.Open(path, source, [["unique_id"], ["cluster_id"]], [["source_dataset"]]);
        var records = new List<RecordRef>();
        var clusterOf = new Dictionary<RecordRef, string>();
        var lineOf = new Dictionary<RecordRef, long>();
        foreach (var (v, line) in file.Rows())
        {
            var key = new RecordRef(v[2], v[0]);
            if (!lineOf.TryAdd(key, line))
            {
                var what = file.Has(2) ? "source dataset and unique id" : "unique id (and the file has no source_dataset column to tell two datasets apart)";
                throw new DataException($"{source} line {line}: the {what} of line {lineOf[key]} again; each record must have one cluster.");
            }

            records.Add(key);
            clusterOf[key] = v[1];
        }

        return new RunClusters(records, clusterOf);
    }

    /// <summary>The record's cluster id, or null when the run has no such record.</summary>
    public string? ClusterOf(RecordRef record) => _clusterOf.GetValueOrDefault(record);

    /// <summary>
    /// The run's record that <paramref name="id"/> (and <paramref name="dataset"/>, "" when the input names none) refers
    /// to, or null when the run has none. A named dataset must be one of the run's (unchecked only when clusters.csv has
    /// no source_dataset column); when the run has several, an id without one must be in exactly one dataset. Errors
    /// name the line, never the id.
    /// </summary>
    public RecordRef? Resolve(string id, string dataset, string source, long line)
    {
        if (Datasets.Count <= 1)
        {
            var onlyDataset = Datasets.Count == 1 ? Datasets[0] : "";

            // A dataset named that is not the run's one would otherwise be matched by the id alone: the file may be
            // for another run. Unchecked only when clusters.csv has no source_dataset column to compare with.
            if (dataset.Length > 0 && onlyDataset.Length > 0 && dataset != onlyDataset)
            {
                throw new DataException($"{source} line {line}: source dataset '{dataset}' is not the dataset of the run's clusters ('{onlyDataset}'); name the run's dataset, or leave the source dataset column out.");
            }

            var only = new RecordRef(onlyDataset, id);
            return _clusterOf.ContainsKey(only) ? only : null;
        }

        if (dataset.Length > 0)
        {
            if (!_datasets.Contains(dataset))
            {
                throw new DataException($"{source} line {line}: source dataset '{dataset}' is not a dataset of the run's clusters (they are: {IngestReport.ListDatasets(Datasets)}).");
            }

            var named = new RecordRef(dataset, id);
            return _clusterOf.ContainsKey(named) ? named : null;
        }

        return _datasetsOfId.GetValueOrDefault(id) switch
        {
            null => null,
            [var one] => new RecordRef(one, id),
            var several => throw new DataException(
                $"{source} line {line}: the unique id is in {several.Length} datasets of the run ({string.Join(", ", several)}); add a source dataset column to say which record is meant."),
        };
    }
}

using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// The internal (never shared) disclosure-risk report: for each share file, the records that fall
/// in quasi-identifier combinations (age band, sex, ethnicity, area/court) seen fewer than k times.
/// Any quasi-identifier named age or age_* is banded.
/// Reads the de-identified share CSV, streaming; memory is one counter per combination.
/// Write it to the working container, never to srs-transfer (<see cref="SharePublisher"/> refuses it).
/// </summary>
public static class DisclosureRiskReport
{
    public const string FileName = "disclosure-risk.json";

    /// <summary>How many of the smallest combinations the report lists.</summary>
    public const int ListedCombinations = 25;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Quasi-identifiers found among a share file's columns by name: ages (banded), sex/gender, ethnicity, courts and areas.</summary>
    public static IReadOnlyList<string> DefaultQuasiIdentifiers(IEnumerable<string> columns) =>
        columns.Where(c => IsQuasiIdentifierName(c.ToLowerInvariant())).ToList();

    /// <summary>
    /// Quasi-identifiers of a share file using its profile: sex (identifier kind), special-category
    /// columns (ethnicity, ages), and courts/areas by name; ages are banded.
    /// </summary>
    public static IReadOnlyList<string> QuasiIdentifiersFor(DatasetProfile profile, IEnumerable<string> shareColumns) =>
        shareColumns.Where(name =>
        {
            if (name == ShareRules.PersonIdColumn)
            {
                return false;
            }

            var column = profile.FindColumn(name);
            if (column is not null && (string.Equals(column.IdentifierKind, "sex", StringComparison.OrdinalIgnoreCase) || column.Role == ColumnRole.SpecialCategory))
            {
                return true;
            }

            return (column is null || column.Role != ColumnRole.SystemId) && IsQuasiIdentifierName(name.ToLowerInvariant());
        }).ToList();

    private static bool IsQuasiIdentifierName(string n) =>
        IsAge(n) || n is "sex" or "gender" || n.EndsWith("_sex", StringComparison.Ordinal) || n.EndsWith("_gender", StringComparison.Ordinal)
        || n.Contains("ethnic", StringComparison.Ordinal)
        || (n.Contains("court", StringComparison.Ordinal) && n.EndsWith("code", StringComparison.Ordinal))
        || n.Contains("area", StringComparison.Ordinal) || n.Contains("region", StringComparison.Ordinal)
        || n.Contains("local_authority", StringComparison.Ordinal) || n.Contains("establishment", StringComparison.Ordinal);

    private static bool IsAge(string lowerName) => lowerName == "age" || lowerName.StartsWith("age_", StringComparison.Ordinal);

    /// <summary>Age band of an age in years: under 18, 18-20, 21-24, 25-29, then decades, 70+.</summary>
    public static string AgeBand(string age)
    {
        if (!int.TryParse(age, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a))
        {
            return "unknown";
        }

        return a switch
        {
            < 18 => "under 18",
            <= 20 => "18-20",
            <= 24 => "21-24",
            <= 29 => "25-29",
            < 40 => "30-39",
            < 50 => "40-49",
            < 60 => "50-59",
            < 70 => "60-69",
            _ => "70+",
        };
    }

    /// <summary>The figures of a share file read back from <paramref name="shareCsv"/> (streaming).</summary>
    public static async Task<DatasetDisclosureRisk> AnalyseAsync(
        string dataset,
        TextReader shareCsv,
        int k,
        IReadOnlyList<string>? quasiIdentifiers = null,
        CancellationToken cancellationToken = default)
    {
        CheckK(k);
        var csv = new CsvReader(shareCsv, $"share file '{dataset}'");
        var header = await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var counter = new DisclosureRiskCounter(dataset, header, k, quasiIdentifiers);
        while (await csv.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            counter.Row(row);
        }

        return counter.Result();
    }

    internal static void CheckK(int k)
    {
        if (k < 2)
        {
            throw new DeidentificationException($"Disclosure risk k must be at least 2 (got {k}); set $.disclosure.k in the share spec.");
        }
    }

    internal static bool IsAgeColumn(string name) => IsAge(name.ToLowerInvariant());

    /// <summary>The report as JSON (for the working container).</summary>
    public static byte[] ToJson(string share, string version, IReadOnlyList<DatasetDisclosureRisk> datasets) =>
        JsonSerializer.SerializeToUtf8Bytes(new { share, version, internalOnly = "Never share this report: it describes small cells of the share.", datasets }, JsonOptions);
}

public sealed record DatasetDisclosureRisk(
    string Dataset,
    IReadOnlyList<string> QuasiIdentifiers,
    int K,
    long Records,
    int Combinations,
    int CombinationsBelowK,
    long RecordsBelowK,
    double PercentRecordsBelowK,
    IReadOnlyList<SmallCombination> SmallestCombinations);

public sealed record SmallCombination(IReadOnlyDictionary<string, string> Values, long Records);

/// <summary>
/// Counts a share file's rows by quasi-identifier combination, as <see cref="ShareDatasetWriter"/> writes them (so the
/// file need not be read back) or as <see cref="DisclosureRiskReport.AnalyseAsync"/> reads them. Memory: one counter
/// per combination.
/// </summary>
public sealed class DisclosureRiskCounter : IShareRowSink
{
    private readonly string _dataset;
    private readonly int _k;
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<string>> _choose;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _quasiIdentifiers = [];
    private int[] _indexes = [];
    private bool[] _isAge = [];
    private string[] _parts = [];
    private long _records;
    private bool _started;

    /// <param name="quasiIdentifiers">The columns to combine; null: those <see cref="DisclosureRiskReport.DefaultQuasiIdentifiers"/> finds by name in the header.</param>
    public DisclosureRiskCounter(string dataset, int k, IReadOnlyList<string>? quasiIdentifiers = null)
        : this(dataset, k, columns => quasiIdentifiers ?? DisclosureRiskReport.DefaultQuasiIdentifiers(columns))
    {
    }

    /// <summary>Combines the quasi-identifiers <see cref="DisclosureRiskReport.QuasiIdentifiersFor"/> finds with the dataset's profile.</summary>
    public DisclosureRiskCounter(DatasetProfile profile, int k)
        : this(profile.Name, k, columns => DisclosureRiskReport.QuasiIdentifiersFor(profile, columns))
    {
    }

    private DisclosureRiskCounter(string dataset, int k, Func<IReadOnlyList<string>, IReadOnlyList<string>> choose)
    {
        DisclosureRiskReport.CheckK(k);
        _dataset = dataset;
        _k = k;
        _choose = choose;
    }

    internal DisclosureRiskCounter(string dataset, CsvHeader header, int k, IReadOnlyList<string>? quasiIdentifiers)
        : this(dataset, k, quasiIdentifiers) => Start(header);

    public void Header(IReadOnlyList<string> columns) =>
        Start(new CsvHeader(columns, $"share file '{_dataset}'", m => new DeidentificationException(m)));

    public void Row(IReadOnlyList<string> cells)
    {
        if (!_started)
        {
            throw new InvalidOperationException("the share file's header comes before its rows.");
        }

        _records++;
        for (var i = 0; i < _indexes.Length; i++)
        {
            var v = _indexes[i] < cells.Count ? cells[_indexes[i]] : string.Empty;
            _parts[i] = _isAge[i] ? DisclosureRiskReport.AgeBand(v) : (ShareValues.IsMissing(v) ? "missing" : v);
        }

        var key = string.Join('\u001f', _parts);
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _);
        count++;
    }

    public IShareRowSink Part()
    {
        if (!_started)
        {
            throw new InvalidOperationException("the share file's header comes before its rows.");
        }

        var part = new DisclosureRiskCounter(_dataset, _k, _choose)
        {
            _quasiIdentifiers = _quasiIdentifiers,
            _indexes = _indexes,
            _isAge = _isAge,
            _parts = new string[_indexes.Length],
            _started = true,
        };
        return part;
    }

    public void Merge(IShareRowSink part)
    {
        if (part is not DisclosureRiskCounter counter || !ReferenceEquals(counter._indexes, _indexes))
        {
            throw new ArgumentException("not a part of this counter.", nameof(part));
        }

        _records += counter._records;
        foreach (var (key, n) in counter._counts)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _) += n;
        }
    }

    public DatasetDisclosureRisk Result()
    {
        var small = _counts.Where(kv => kv.Value < _k).ToList();
        var below = small.Sum(kv => kv.Value);
        var listed = small.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(DisclosureRiskReport.ListedCombinations)
            .Select(kv =>
            {
                var values = kv.Key.Split('\u001f');
                var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < _quasiIdentifiers.Count; i++)
                {
                    dict[_quasiIdentifiers[i]] = values[i];
                }

                return new SmallCombination(dict, kv.Value);
            }).ToList();
        return new DatasetDisclosureRisk(
            _dataset,
            _quasiIdentifiers,
            _k,
            _records,
            _counts.Count,
            small.Count,
            below,
            _records == 0 ? 0 : Math.Round(100.0 * below / _records, 2),
            listed);
    }

    private void Start(CsvHeader header)
    {
        _quasiIdentifiers = _choose(header.Names);
        _indexes = _quasiIdentifiers.Select(q => header.Require(q, "a quasi-identifier of the disclosure-risk report")).ToArray();
        _isAge = _quasiIdentifiers.Select(DisclosureRiskReport.IsAgeColumn).ToArray();
        _parts = new string[_indexes.Length];
        _started = true;
    }
}

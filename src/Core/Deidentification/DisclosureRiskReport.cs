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
            < 70 => $"{a / 10 * 10}-{(a / 10 * 10) + 9}",
            _ => "70+",
        };
    }

    public static async Task<DatasetDisclosureRisk> AnalyseAsync(
        string dataset,
        TextReader shareCsv,
        int k,
        IReadOnlyList<string>? quasiIdentifiers = null,
        CancellationToken cancellationToken = default)
    {
        if (k < 2)
        {
            throw new DeidentificationException($"Disclosure risk k must be at least 2 (got {k}); set $.disclosure.k in the share spec.");
        }

        var csv = new CsvReader(shareCsv, $"share file '{dataset}'");
        var header = await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var qis = quasiIdentifiers ?? DefaultQuasiIdentifiers(header.Names);
        var indexes = qis.Select(q => header.Require(q, "a quasi-identifier of the disclosure-risk report")).ToArray();
        var isAge = qis.Select(q => IsAge(q.ToLowerInvariant())).ToArray();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long records = 0;
        var parts = new string[indexes.Length];
        while (await csv.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            records++;
            for (var i = 0; i < indexes.Length; i++)
            {
                var v = indexes[i] < row.Length ? row[indexes[i]] : string.Empty;
                parts[i] = isAge[i] ? AgeBand(v) : (ShareValues.IsMissing(v) ? "missing" : v);
            }

            var key = string.Join('\u001f', parts);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var small = counts.Where(kv => kv.Value < k).ToList();
        var below = small.Sum(kv => kv.Value);
        var listed = small.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(ListedCombinations)
            .Select(kv =>
            {
                var values = kv.Key.Split('\u001f');
                var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < qis.Count; i++)
                {
                    dict[qis[i]] = values[i];
                }

                return new SmallCombination(dict, kv.Value);
            }).ToList();
        return new DatasetDisclosureRisk(
            dataset,
            qis,
            k,
            records,
            counts.Count,
            small.Count,
            below,
            records == 0 ? 0 : Math.Round(100.0 * below / records, 2),
            listed);
    }

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

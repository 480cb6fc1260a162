using System.Globalization;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Comparisons;

/// <summary>One expanded comparison level. <see cref="Threshold"/> is the similarity bound (jaro, jaro_winkler)
/// or the largest absolute difference (abs_difference).</summary>
public sealed record ComparisonLevel(string Type, string Label, double Threshold = 0, int MaxDistance = 0, int Days = 0, string? OtherColumn = null, bool TfAdjustment = false)
{
    public bool IsNull => Type == ComparisonLevelTypes.Null;
}

/// <summary>A comparison with its levels expanded from a preset or the explicit list (Null first, Else last).</summary>
public sealed record ComparisonSpec(string Name, string Column, IReadOnlyList<ComparisonLevel> Levels)
{
    /// <summary>Columns the comparison reads (its column and any swapped column).</summary>
    public IEnumerable<string> InputColumns => Levels.Where(l => l.OtherColumn is not null).Select(l => l.OtherColumn!).Prepend(Column).Distinct(StringComparer.Ordinal);

    public static IReadOnlyList<ComparisonSpec> FromSettings(LinkageSettings settings) =>
        settings.Comparisons.Select(Expand).ToList();

    public static ComparisonSpec Expand(ComparisonSettings c)
    {
        if (c.Levels is not null)
        {
            return new ComparisonSpec(c.Name, c.Column, c.Levels.Select(l => new ComparisonLevel(l.Type, l.Label ?? Describe(l.Type, c.Column, l.Threshold ?? l.MaxDifference ?? 0, l.MaxDistance ?? 0, l.Days ?? 0, l.OtherColumn), l.Threshold ?? l.MaxDifference ?? 0, l.MaxDistance ?? 0, l.Days ?? 0, l.OtherColumn, l.TfAdjustment)).ToList());
        }

        var col = c.Column;
        var levels = new List<ComparisonLevel> { Level(ComparisonLevelTypes.Null, col) };
        levels.Add(Level(ComparisonLevelTypes.Exact, col, tf: c.TfAdjustment));
        switch (c.Preset)
        {
            case "name":
                {
                    var t = c.Thresholds ?? [0.92, 0.88, 0.70];
                    if (c.SwapWith is not null)
                    {
                        levels.Add(Level(ComparisonLevelTypes.Swapped, col, other: c.SwapWith));
                    }

                    levels.Add(Level(ComparisonLevelTypes.JaroWinkler, col, threshold: t[0]));
                    if (c.Nickname)
                    {
                        levels.Add(Level(ComparisonLevelTypes.Nickname, col));
                    }

                    if (c.Phonetic)
                    {
                        levels.Add(Level(ComparisonLevelTypes.Phonetic, col));
                    }

                    foreach (var x in t.Skip(1))
                    {
                        levels.Add(Level(ComparisonLevelTypes.JaroWinkler, col, threshold: x));
                    }

                    break;
                }

            case "date_of_birth":
                levels.Add(Level(ComparisonLevelTypes.Levenshtein, col, distance: 1));
                levels.Add(Level(ComparisonLevelTypes.DateDayMonthSwap, col));
                levels.Add(Level(ComparisonLevelTypes.DateWithin, col, days: 366));
                break;
            case "postcode":
                levels.Add(Level(ComparisonLevelTypes.PostcodeSector, col));
                levels.Add(Level(ComparisonLevelTypes.PostcodeDistrict, col));
                levels.Add(Level(ComparisonLevelTypes.PostcodeArea, col));
                break;
            case "jaro_winkler":
                foreach (var x in c.Thresholds ?? [0.92, 0.88, 0.70])
                {
                    levels.Add(Level(ComparisonLevelTypes.JaroWinkler, col, threshold: x));
                }

                break;
            case "levenshtein" or "damerau_levenshtein":
                foreach (var x in c.Thresholds ?? [1, 2])
                {
                    levels.Add(Level(c.Preset, col, distance: (int)x));
                }

                break;
        }

        if (c.TfAdjustmentFuzzy)
        {
            levels = levels.Select(l => l.Type != ComparisonLevelTypes.Exact && ComparisonLevelTypes.TfAdjustable.Contains(l.Type) ? l with { TfAdjustment = true } : l).ToList();
        }

        levels.Add(Level(ComparisonLevelTypes.Else, col));
        return new ComparisonSpec(c.Name, c.Column, levels);
    }

    private static ComparisonLevel Level(string type, string col, double threshold = 0, int distance = 0, int days = 0, string? other = null, bool tf = false) =>
        new(type, Describe(type, col, threshold, distance, days, other), threshold, distance, days, other, tf);

    private static string Describe(string type, string col, double threshold, int distance, int days, string? other) => type switch
    {
        ComparisonLevelTypes.Null => $"{col} is null",
        ComparisonLevelTypes.Exact => $"exact {col}",
        ComparisonLevelTypes.JaroWinkler => string.Create(CultureInfo.InvariantCulture, $"{col} Jaro-Winkler >= {threshold}"),
        ComparisonLevelTypes.Jaro => string.Create(CultureInfo.InvariantCulture, $"{col} Jaro >= {threshold}"),
        ComparisonLevelTypes.Levenshtein => $"{col} Levenshtein <= {distance}",
        ComparisonLevelTypes.DamerauLevenshtein => $"{col} Damerau-Levenshtein <= {distance}",
        ComparisonLevelTypes.Nickname => $"{col} nickname",
        ComparisonLevelTypes.Phonetic => $"{col} sounds alike",
        ComparisonLevelTypes.Swapped => $"{col} and {other} swapped",
        ComparisonLevelTypes.DateDayMonthSwap => $"{col} day and month swapped",
        ComparisonLevelTypes.DateWithin => $"{col} within {days} days",
        ComparisonLevelTypes.PostcodeSector => $"{col} same sector",
        ComparisonLevelTypes.PostcodeDistrict => $"{col} same district",
        ComparisonLevelTypes.PostcodeArea => $"{col} same area",
        ComparisonLevelTypes.AbsDifference => string.Create(CultureInfo.InvariantCulture, $"{col} within {threshold}"),
        _ => "all other",
    };
}

using System.Text.Json;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>Counts of comparison vectors (agreement patterns). A pattern key holds 4 bits per comparison
/// (its level index, comparison 0 in the low bits). Histograms of partitions sum with <see cref="Add"/>.</summary>
public sealed class PatternHistogram
{
    public PatternHistogram(IReadOnlyList<string> comparisonNames, IReadOnlyList<int> levelCounts)
    {
        ComparisonNames = comparisonNames;
        LevelCounts = levelCounts;
    }

    public IReadOnlyList<string> ComparisonNames { get; }

    public IReadOnlyList<int> LevelCounts { get; }

    public Dictionary<long, long> Counts { get; } = [];

    /// <summary>Pairs counted.</summary>
    public long TotalPairs => Counts.Values.Sum();

    /// <summary>Pairs the rule generated that a <see cref="PairSample"/> left out (0 when every pair was counted).</summary>
    public long SampledOut { get; set; }

    /// <summary>Pairs the rule generated: those counted and those the sample left out.</summary>
    public long PairsGenerated => TotalPairs + SampledOut;

    public static int LevelOf(long pattern, int comparison) => (int)((pattern >> (4 * comparison)) & 0xF);

    public void Increment(long pattern, long count = 1) =>
        Counts[pattern] = Counts.GetValueOrDefault(pattern) + count;

    /// <summary>Adds <paramref name="other"/>'s counts (same comparisons and levels required).</summary>
    public PatternHistogram Add(PatternHistogram other)
    {
        if (!other.LevelCounts.SequenceEqual(LevelCounts) || !other.ComparisonNames.SequenceEqual(ComparisonNames))
        {
            throw new TrainingException("pattern histograms come from different comparisons and cannot be added; rebuild them with the same settings.");
        }

        foreach (var (k, v) in other.Counts)
        {
            Increment(k, v);
        }

        SampledOut += other.SampledOut;
        return this;
    }

    public static PatternHistogram Sum(IEnumerable<PatternHistogram> histograms)
    {
        PatternHistogram? total = null;
        foreach (var h in histograms)
        {
            total ??= new PatternHistogram(h.ComparisonNames, h.LevelCounts);
            total.Add(h);
        }

        return total ?? throw new TrainingException("no histograms to sum.");
    }

    private sealed record Dto(IReadOnlyList<string> Comparisons, IReadOnlyList<int> Levels, IReadOnlyList<long[]> Counts, long SampledOut = 0);

    public void WriteTo(Stream stream) =>
        JsonSerializer.Serialize(stream, new Dto(ComparisonNames, LevelCounts, Counts.OrderBy(kv => kv.Key).Select(kv => new[] { kv.Key, kv.Value }).ToList(), SampledOut), SettingsJson.Options);

    public static PatternHistogram ReadFrom(Stream stream)
    {
        Dto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<Dto>(stream, SettingsJson.Options);
        }
        catch (JsonException ex)
        {
            throw new Settings.FormatException($"pattern histogram stream is not valid ({ex.Message}).");
        }

        if (dto is null)
        {
            throw new Settings.FormatException("pattern histogram stream is empty.");
        }

        var h = new PatternHistogram(dto.Comparisons, dto.Levels) { SampledOut = dto.SampledOut };
        foreach (var kv in dto.Counts)
        {
            h.Increment(kv[0], kv[1]);
        }

        return h;
    }

    public string ToJson()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}

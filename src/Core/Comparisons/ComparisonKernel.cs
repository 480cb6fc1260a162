using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Comparisons;

/// <summary>A comparison bound to a record set: per-record codes and per-distinct-value derived data
/// (dates as day numbers, postcode parts, phonetic keys, nickname groups) so that comparing a pair
/// is int compares plus, for fuzzy levels, one string metric on spans. No allocation per pair.</summary>
internal sealed class ComparisonKernel
{
    private enum Kind : byte
    {
        Null, Exact, JaroWinkler, Jaro, Levenshtein, DamerauLevenshtein, Nickname, Phonetic, Swapped, DayMonthSwap, DateWithin, Sector, District, Area, AbsDifference, Else,
    }

    private readonly int[] codes;
    private readonly string[] dict;
    private readonly Kind[] kinds;
    private readonly double[] thresholds;
    private readonly int[] ints;
    private readonly int[]? otherCodes;
    private readonly int[]? toOther;
    private readonly int[]? dayNumber;
    private readonly int[]? year;
    private readonly int[]? month;
    private readonly int[]? day;
    private readonly int[]? sector;
    private readonly int[]? district;
    private readonly int[]? area;
    private readonly int[]? phonetic;
    private readonly int[][]? nick;
    private readonly ulong[]? letters;
    private readonly double[]? numbers;

    public ComparisonKernel(ComparisonSpec spec, RecordSet records)
    {
        Spec = spec;
        var col = records.ColumnIndex(spec.Column);
        codes = records.Codes[col];
        dict = records.Dictionaries[col];
        var n = spec.Levels.Count;
        kinds = new Kind[n];
        thresholds = new double[n];
        ints = new int[n];
        for (var i = 0; i < n; i++)
        {
            var l = spec.Levels[i];
            kinds[i] = l.Type switch
            {
                ComparisonLevelTypes.Null => Kind.Null,
                ComparisonLevelTypes.Exact => Kind.Exact,
                ComparisonLevelTypes.JaroWinkler => Kind.JaroWinkler,
                ComparisonLevelTypes.Jaro => Kind.Jaro,
                ComparisonLevelTypes.Levenshtein => Kind.Levenshtein,
                ComparisonLevelTypes.DamerauLevenshtein => Kind.DamerauLevenshtein,
                ComparisonLevelTypes.Nickname => Kind.Nickname,
                ComparisonLevelTypes.Phonetic => Kind.Phonetic,
                ComparisonLevelTypes.Swapped => Kind.Swapped,
                ComparisonLevelTypes.DateDayMonthSwap => Kind.DayMonthSwap,
                ComparisonLevelTypes.DateWithin => Kind.DateWithin,
                ComparisonLevelTypes.PostcodeSector => Kind.Sector,
                ComparisonLevelTypes.PostcodeDistrict => Kind.District,
                ComparisonLevelTypes.PostcodeArea => Kind.Area,
                ComparisonLevelTypes.AbsDifference => Kind.AbsDifference,
                _ => Kind.Else,
            };
            thresholds[i] = kinds[i] == Kind.AbsDifference ? l.Threshold + 1e-9 : l.Threshold - 1e-9;
            ints[i] = kinds[i] == Kind.DateWithin ? l.Days : l.MaxDistance;
            switch (kinds[i])
            {
                case Kind.Swapped:
                    {
                        var oc = records.ColumnIndex(l.OtherColumn!);
                        otherCodes = records.Codes[oc];
                        var od = records.Dictionaries[oc];

                        // Record sets that share this dictionary (Select) share the other column's too.
                        toOther = Cached("swap:" + l.OtherColumn, () =>
                        {
                            var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
                            for (var k = 1; k < od.Length; k++)
                            {
                                lookup[od[k]] = k;
                            }

                            var map = new int[dict.Length];
                            for (var k = 1; k < dict.Length; k++)
                            {
                                map[k] = lookup.TryGetValue(dict[k], out var x) ? x : -1;
                            }

                            return map;
                        });
                        break;
                    }

                case Kind.DateWithin or Kind.DayMonthSwap:
                    if (dayNumber is null)
                    {
                        dayNumber = Cached("day_number", () => dict.Select(v => v.Length == 0 ? int.MinValue : DateStandardiser.DayNumber(v)).ToArray());
                        year = Cached("year", () => DatePart(0, 4));
                        month = Cached("month", () => DatePart(5, 2));
                        day = Cached("day", () => DatePart(8, 2));
                    }

                    break;
                case Kind.Sector:
                    sector = Cached("sector", () => Derive(PostcodeStandardiser.Sector));
                    break;
                case Kind.District:
                    district = Cached("district", () => Derive(PostcodeStandardiser.District));
                    break;
                case Kind.Area:
                    area = Cached("area", () => Derive(PostcodeStandardiser.Area));
                    break;
                case Kind.AbsDifference:
                    numbers = NumberCache.GetValue(dict, d => d.Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x : double.NaN).ToArray());
                    break;
                case Kind.Phonetic:
                    phonetic = Cached("double_metaphone", DoubleMetaphoneIds);
                    break;
                case Kind.JaroWinkler or Kind.Jaro:
                    letters ??= SignatureCache.GetValue(dict, d => d.Select(StringMetrics.LetterSignature).ToArray());
                    break;
                case Kind.Nickname:
                    nick = NickCache.GetValue(dict, d =>
                    {
                        var groups = new int[d.Length][];
                        groups[0] = [];
                        for (var k = 1; k < d.Length; k++)
                        {
                            groups[k] = Nicknames.GroupsOf(d[k]).ToArray();
                        }

                        return groups;
                    });
                    break;
            }
        }
    }

    public ComparisonSpec Spec { get; }

    /// <summary>Level 1 is an exact level, so equal non-null codes always land on it.</summary>
    public bool ExactFirst => kinds.Length > 1 && kinds[1] == Kind.Exact;

    /// <summary>Some level runs a string metric (Jaro, Jaro-Winkler, Levenshtein…): the costly comparisons.</summary>
    public bool UsesStringMetric => kinds.Any(k => k is Kind.JaroWinkler or Kind.Jaro or Kind.Levenshtein or Kind.DamerauLevenshtein);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], int[][]> NickCache = new();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], ulong[]> SignatureCache = new();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], double[]> NumberCache = new();

    public int LevelCount => kinds.Length;

    /// <summary>Per record code of the compared column (0 = null); used for term frequencies.</summary>
    public int[] Codes => codes;

    public string[] Dictionary => dict;

    // Derived per-value arrays depend only on the dictionary, which partitions (Select) share: compute once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], System.Collections.Concurrent.ConcurrentDictionary<string, int[]>> DerivedCache = new();

    private int[] Cached(string key, Func<int[]> build) =>
        DerivedCache.GetOrCreateValue(dict).GetOrAdd(key, _ => build());

    private int[] DatePart(int start, int length)
    {
        var result = new int[dict.Length];
        for (var k = 1; k < dict.Length; k++)
        {
            var v = dict[k];
            if (DateStandardiser.DayNumber(v) != int.MinValue)
            {
                result[k] = int.Parse(v.AsSpan(start, length), provider: System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    /// <summary>Double Metaphone codes as ids in one id space: primary of value k at [k], alternate at [dict.Length + k]
    /// (0 = no code).</summary>
    private int[] DoubleMetaphoneIds()
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[2 * dict.Length];
        int Id(string code)
        {
            if (code.Length == 0)
            {
                return 0;
            }

            if (!ids.TryGetValue(code, out var id))
            {
                id = ids.Count + 1;
                ids[code] = id;
            }

            return id;
        }

        for (var k = 1; k < dict.Length; k++)
        {
            var (p, a) = DoubleMetaphone.Encode(dict[k]);
            result[k] = Id(p);
            result[dict.Length + k] = Id(a);
        }

        return result;
    }

    private int[] Derive(Func<string, string> f)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[dict.Length];
        for (var k = 1; k < dict.Length; k++)
        {
            var v = f(dict[k]);
            if (v.Length == 0)
            {
                continue;
            }

            if (!ids.TryGetValue(v, out var id))
            {
                id = ids.Count + 1;
                ids[v] = id;
            }

            result[k] = id;
        }

        return result;
    }

    /// <summary>Level index (0 = null level) of the pair (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public int Level(int a, int b) => Level(a, b, codes[a], codes[b]);

    /// <summary>As <see cref="Level(int, int)"/> with the records' codes of this column already read
    /// (<paramref name="ca"/> = Codes[a], <paramref name="cb"/> = Codes[b]).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Level(int a, int b, int ca, int cb)
    {
        if (ca == 0 || cb == 0)
        {
            return 0;
        }

        var sim = -1.0;
        var upper = -1.0;
        var kinds = this.kinds;
        for (var i = 1; i < kinds.Length; i++)
        {
            switch (kinds[i])
            {
                case Kind.Exact:
                    if (ca == cb)
                    {
                        return i;
                    }

                    break;
                case Kind.JaroWinkler:
                    if (sim < 0)
                    {
                        // Cheap upper bound from letter counts first: most unrelated names fail every threshold.
                        if (upper < 0)
                        {
                            upper = StringMetrics.JaroWinklerUpperBound(dict[ca], dict[cb], letters![ca], letters[cb]);
                        }

                        if (upper < thresholds[i])
                        {
                            break;
                        }

                        sim = StringMetrics.JaroWinkler(dict[ca], dict[cb]);
                    }

                    if (sim >= thresholds[i])
                    {
                        return i;
                    }

                    break;
                case Kind.Jaro:
                    if (StringMetrics.Jaro(dict[ca], dict[cb]) >= thresholds[i])
                    {
                        return i;
                    }

                    break;
                case Kind.Levenshtein:
                    if (StringMetrics.Levenshtein(dict[ca], dict[cb], ints[i]) <= ints[i])
                    {
                        return i;
                    }

                    break;
                case Kind.DamerauLevenshtein:
                    if (StringMetrics.DamerauLevenshtein(dict[ca], dict[cb], ints[i]) <= ints[i])
                    {
                        return i;
                    }

                    break;
                case Kind.Nickname:
                    {
                        var ga = nick![ca];
                        if (ga.Length > 0)
                        {
                            var gb = nick[cb];
                            foreach (var g in ga)
                            {
                                if (Array.IndexOf(gb, g) >= 0)
                                {
                                    return i;
                                }
                            }
                        }

                        break;
                    }

                case Kind.Phonetic:
                    {
                        // Primary or alternate Double Metaphone codes agree (ids: primary at [code], alternate at [n + code]).
                        var ph = phonetic!;
                        var n = dict.Length;
                        var pa = ph[ca];
                        var pb = ph[cb];
                        var aa = ph[n + ca];
                        var ab = ph[n + cb];
                        if (pa != 0 && (pa == pb || pa == ab || (aa != 0 && (aa == pb || aa == ab))))
                        {
                            return i;
                        }

                        break;
                    }
                case Kind.Swapped:
                    {
                        var oa = otherCodes![a];
                        var ob = otherCodes[b];
                        if (ob != 0 && oa != 0 && toOther![ca] == ob && toOther[cb] == oa)
                        {
                            return i;
                        }

                        break;
                    }

                case Kind.DayMonthSwap:
                    if (dayNumber![ca] != int.MinValue && dayNumber[cb] != int.MinValue && year![ca] == year[cb] && month![ca] == day![cb] && day[ca] == month[cb])
                    {
                        return i;
                    }

                    break;
                case Kind.DateWithin:
                    if (dayNumber![ca] != int.MinValue && dayNumber[cb] != int.MinValue && Math.Abs(dayNumber[ca] - dayNumber[cb]) <= ints[i])
                    {
                        return i;
                    }

                    break;
                case Kind.AbsDifference:
                    // NaN (not a number) fails the comparison, so text values fall through to later levels.
                    if (Math.Abs(numbers![ca] - numbers[cb]) <= thresholds[i])
                    {
                        return i;
                    }

                    break;
                case Kind.Sector:
                    if (sector![ca] != 0 && sector[ca] == sector[cb])
                    {
                        return i;
                    }

                    break;
                case Kind.District:
                    if (district![ca] != 0 && district[ca] == district[cb])
                    {
                        return i;
                    }

                    break;
                case Kind.Area:
                    if (area![ca] != 0 && area[ca] == area[cb])
                    {
                        return i;
                    }

                    break;
                default:
                    return i;
            }
        }

        return kinds.Length - 1;
    }
}

/// <summary>All comparisons bound to one record set: comparison vectors and pattern keys.</summary>
internal sealed class ComparisonVectorizer
{
    public ComparisonVectorizer(IReadOnlyList<ComparisonSpec> specs, RecordSet records)
    {
        // Patterns pack a level index in 4 bits per comparison: a comparison with more levels would corrupt the next
        // one's bits. Settings read from JSON are refused earlier; this guards settings built in code.
        for (var c = 0; c < specs.Count; c++)
        {
            if (specs[c].Levels.Count > SettingsJson.MaxLevels)
            {
                throw new SettingsException($"$.comparisons[{c}]", $"comparison '{specs[c].Name}' has {specs[c].Levels.Count} levels; at most {SettingsJson.MaxLevels} are supported.");
            }
        }

        // Kernels derive per-value tables (postcode parts, day numbers, letter signatures…): build them in parallel.
        var kernels = new ComparisonKernel[specs.Count];
        Parallel.For(0, specs.Count, CpuParallelism.Options(), c => kernels[c] = new ComparisonKernel(specs[c], records));
        Kernels = kernels;
        Records = records;
    }

    public ComparisonKernel[] Kernels { get; }

    public RecordSet Records { get; }

    /// <summary>Pattern key: 4 bits per comparison (level index), comparison 0 in the low bits.</summary>
    public long Pattern(int a, int b)
    {
        long key = 0;
        var k = Kernels;
        for (var c = 0; c < k.Length; c++)
        {
            key |= (long)k[c].Level(a, b) << (4 * c);
        }

        return key;
    }

    public static int LevelOf(long pattern, int comparison) => (int)((pattern >> (4 * comparison)) & 0xF);
}

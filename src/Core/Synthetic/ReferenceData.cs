namespace DataFirst.Core.Synthetic;

/// <summary>Justice reference data the simulation draws from; codes match profiles/*.json.</summary>
internal static class ReferenceData
{
    public sealed record Region(
        string Code, string[] Towns, string[] PostcodeAreas, string[] MagistratesCourts, string CrownCourt,
        string Prison, string FamilyCourt, string LocalAuthority);

    public static readonly Region[] Regions =
    [
        new("YH", ["Leeds", "Bradford", "Wakefield"], ["LS", "BD", "WF"], ["2960", "2961"], "439", "LEI", "F439", "LAYH"),
        new("NW", ["Manchester", "Salford", "Bolton"], ["M", "BL", "OL"], ["2760", "2761"], "435", "MRI", "F435", "LANW"),
        new("WM", ["Birmingham", "Wolverhampton", "Walsall"], ["B", "WV", "WS"], ["2220", "2221"], "404", "BMI", "F404", "LAWM"),
        new("LN", ["London", "Islington", "Hackney"], ["E", "N", "SE"], ["2570", "2571"], "440", "PVI", "F440", "LALN"),
        new("SW", ["Bristol", "Bath", "Weston-super-Mare"], ["BS", "BA"], ["2110", "2111"], "408", "BLI", "F408", "LASW"),
        new("WA", ["Cardiff", "Newport", "Barry"], ["CF", "NP"], ["2860", "2861"], "411", "CFI", "F411", "LAWA"),
        new("NE", ["Newcastle upon Tyne", "Sunderland", "Gateshead"], ["NE", "SR"], ["2450", "2451"], "450", "DMI", "F450", "LANE"),
        new("EE", ["Norwich", "Ipswich", "Great Yarmouth"], ["NR", "IP"], ["2350", "2351"], "458", "NWI", "F458", "LAEE"),
    ];

    public static readonly Weighted<Region> RegionWeights = new(
        Regions.Select(r => (r, r.Code switch { "LN" => 3.0, "NW" => 2.0, "WM" => 1.6, "YH" => 1.5, _ => 1.0 })));

    /// <summary>Long-sentence establishments that take prisoners from any region.</summary>
    public static readonly string[] NationalPrisons = ["WDI", "FKI"];

    public enum OffenceType
    {
        SummaryMotoring,
        SummaryNonMotoring,
        EitherWay,
        IndictableOnly,
    }

    public sealed record Offence(string Code, string Group, OffenceType Type, double Weight, int TypicalCustodyDays);

    public static readonly Offence[] Offences =
    [
        new("RT88191", "12", OffenceType.SummaryMotoring, 9, 0),
        new("RT88500", "12", OffenceType.SummaryMotoring, 6, 0),
        new("RT88007", "12", OffenceType.SummaryMotoring, 4, 60),
        new("RT88001", "12", OffenceType.SummaryMotoring, 2, 90),
        new("CA03001", "11", OffenceType.SummaryNonMotoring, 5, 0),
        new("OF61016", "11", OffenceType.SummaryNonMotoring, 6, 60),
        new("CD71236", "11", OffenceType.SummaryNonMotoring, 3, 30),
        new("PU86010", "11", OffenceType.SummaryNonMotoring, 3, 30),
        new("CJ03510", "11", OffenceType.SummaryNonMotoring, 2, 20),
        new("MC80001", "11", OffenceType.SummaryNonMotoring, 2, 60),
        new("TH68010", "04", OffenceType.EitherWay, 6, 60),
        new("TH68023", "04", OffenceType.EitherWay, 1.5, 90),
        new("BG68001", "04", OffenceType.EitherWay, 1.5, 700),
        new("BG68010", "04", OffenceType.EitherWay, 1, 300),
        new("HA68001", "04", OffenceType.EitherWay, 1, 180),
        new("OF61001", "01", OffenceType.EitherWay, 2.5, 360),
        new("OF61022", "01", OffenceType.EitherWay, 0.8, 700),
        new("PU86020", "01", OffenceType.EitherWay, 1.5, 180),
        new("CD71004", "05", OffenceType.EitherWay, 0.4, 180),
        new("AR71001", "05", OffenceType.EitherWay, 0.3, 700),
        new("MD71230", "06", OffenceType.EitherWay, 2, 90),
        new("MD71231", "06", OffenceType.EitherWay, 2.5, 30),
        new("MD71250", "06", OffenceType.EitherWay, 0.8, 1500),
        new("FI68001", "07", OffenceType.EitherWay, 1.2, 180),
        new("PU86001", "08", OffenceType.EitherWay, 0.8, 240),
        new("FR06001", "10", OffenceType.EitherWay, 1, 300),
        new("RT88010", "09", OffenceType.EitherWay, 0.5, 300),
        new("SX03010", "02", OffenceType.EitherWay, 0.4, 500),
        new("OF61020", "01", OffenceType.IndictableOnly, 0.3, 2500),
        new("HO61050", "01", OffenceType.IndictableOnly, 0.03, 6000),
        new("SX03001", "02", OffenceType.IndictableOnly, 0.15, 3000),
        new("RB68001", "03", OffenceType.IndictableOnly, 0.6, 1500),
        new("FI68010", "07", OffenceType.IndictableOnly, 0.05, 3000),
    ];

    public static readonly Weighted<Offence> OffenceWeights = new(Offences.Select(o => (o, o.Weight)));

    public static string TypeCode(OffenceType type) => type switch
    {
        OffenceType.SummaryMotoring => "SM",
        OffenceType.SummaryNonMotoring => "SN",
        OffenceType.EitherWay => "EW",
        _ => "IO",
    };

    public static readonly Weighted<string> Ethnicity = new(
    [
        ("W1", 70), ("W2", 1), ("W3", 0.8), ("W9", 5), ("M1", 1.5), ("M2", 0.5), ("M3", 0.8), ("M9", 0.8),
        ("A1", 2.5), ("A2", 2.2), ("A3", 0.8), ("A4", 0.6), ("A9", 1.2), ("B1", 2), ("B2", 2.5), ("B9", 0.8),
        ("O2", 0.5), ("O9", 1),
    ]);

    public static readonly DateOnly WindowStart = new(2012, 1, 1);
    public static readonly DateOnly WindowEnd = new(2023, 12, 31);

    /// <summary>The date every extract is taken: later events are not yet recorded.</summary>
    public static readonly DateOnly ExtractDate = new(2025, 6, 30);
}

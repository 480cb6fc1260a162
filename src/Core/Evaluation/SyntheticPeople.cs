using System.Globalization;

namespace DataFirst.Core.Evaluation;

/// <summary>Synthetic person records for benchmarks: originals plus corrupted duplicates (typos, nicknames,
/// day/month swaps, moves, missing values). Column <c>person_id</c> is the truth.</summary>
public static class SyntheticPeople
{
    public static readonly string[] Header = ["unique_id", "person_id", "forename", "surname", "date_of_birth", "postcode", "sex"];

    private static readonly string[] MaleNames =
    [
        "JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "JOSEPH", "THOMAS", "CHARLES", "CHRISTOPHER", "DANIEL", "MATTHEW", "ANTHONY", "MARK",
        "DONALD", "STEVEN", "PAUL", "ANDREW", "JOSHUA", "KENNETH", "KEVIN", "BRIAN", "GEORGE", "TIMOTHY", "RONALD", "EDWARD", "JASON", "JEFFREY", "RYAN",
        "JACOB", "GARY", "NICHOLAS", "ERIC", "JONATHAN", "STEPHEN", "LARRY", "JUSTIN", "SCOTT", "BRANDON", "BENJAMIN", "SAMUEL", "GREGORY", "ALEXANDER", "PATRICK",
        "FRANK", "RAYMOND", "JACK", "DENNIS", "JERRY", "TYLER", "AARON", "HENRY", "ADAM", "DOUGLAS", "NATHAN", "PETER", "ZACHARY", "KYLE", "OLIVER", "HARRY", "CONNOR",
        "LIAM", "NOAH", "CALLUM", "JAMIE", "LEWIS", "OWEN", "RHYS", "DYLAN", "ETHAN", "MOHAMMED", "ALI", "OMAR", "HASSAN", "IBRAHIM", "KWAME", "TOMASZ", "PIOTR", "LUKASZ",
    ];

    private static readonly string[] FemaleNames =
    [
        "MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN", "JESSICA", "SARAH", "KAREN", "LISA", "NANCY", "BETTY", "MARGARET", "SANDRA",
        "ASHLEY", "KIMBERLY", "EMILY", "DONNA", "MICHELLE", "CAROL", "AMANDA", "DOROTHY", "MELISSA", "DEBORAH", "STEPHANIE", "REBECCA", "SHARON", "LAURA", "CYNTHIA",
        "KATHLEEN", "AMY", "ANGELA", "SHIRLEY", "ANNA", "BRENDA", "PAMELA", "EMMA", "NICOLE", "HELEN", "SAMANTHA", "KATHERINE", "CHRISTINE", "DEBRA", "RACHEL",
        "CHARLOTTE", "OLIVIA", "AMELIA", "ISLA", "AVA", "MIA", "GRACE", "SOPHIE", "CHLOE", "LUCY", "HOLLY", "ELLIE", "JADE", "LEAH", "AISHA", "FATIMA", "PRIYA", "AGNIESZKA",
    ];

    private static readonly Dictionary<string, string[]> Nick = new(StringComparer.Ordinal)
    {
        ["ROBERT"] = ["BOB", "ROB", "BOBBY"], ["WILLIAM"] = ["BILL", "WILL", "BILLY"], ["MARGARET"] = ["PEGGY", "MAGGIE"], ["JAMES"] = ["JIM", "JIMMY"],
        ["MICHAEL"] = ["MIKE", "MICK"], ["RICHARD"] = ["DICK", "RICK"], ["ELIZABETH"] = ["LIZ", "BETH", "BETTY"], ["THOMAS"] = ["TOM", "TOMMY"],
        ["CHRISTOPHER"] = ["CHRIS"], ["DANIEL"] = ["DAN", "DANNY"], ["ANTHONY"] = ["TONY"], ["EDWARD"] = ["ED", "TED"], ["SAMUEL"] = ["SAM"],
        ["REBECCA"] = ["BECKY"], ["KATHERINE"] = ["KATE", "KATIE"], ["SAMANTHA"] = ["SAM"], ["JOSEPH"] = ["JOE"], ["PATRICIA"] = ["PAT", "TRISH"],
    };

    private static readonly string[] Onsets = ["B", "BR", "C", "CH", "CL", "D", "F", "FR", "G", "GR", "H", "J", "K", "L", "M", "N", "P", "PR", "R", "S", "SH", "ST", "T", "TH", "W", "WH", "Y", "MC", "O"];
    private static readonly string[] Vowels = ["A", "E", "I", "O", "U", "AI", "EA", "OO", "OU", "Y"];
    private static readonly string[] Codas = ["", "N", "R", "L", "S", "T", "D", "M", "CK", "NG", "RD", "LL", "SS", "TT", "RN", "LD"];
    private static readonly string[] Endings = ["", "SON", "TON", "LEY", "WOOD", "FORD", "MAN", "ER", "S", "ING", "HAM", "FIELD", "WELL", "BY"];
    private const string Letters = "ABCDEFGHIJKLMNOPRSTUWY";

    /// <summary>Generates <paramref name="records"/> rows, about <paramref name="duplicateShare"/> of them duplicates.</summary>
    public static List<string?[]> Generate(int records, double duplicateShare, int seed)
    {
        var rng = new Random(seed);
        var people = (int)Math.Max(1, records * (1 - duplicateShare));
        var surnamePool = Enumerable.Range(0, Math.Max(2000, people / 20)).Select(_ => Surname(rng)).Distinct().ToArray();
        var rows = new List<string?[]>(records);
        for (var p = 0; p < people; p++)
        {
            var male = rng.Next(2) == 0;
            var forename = male ? MaleNames[Zipf(rng, MaleNames.Length)] : FemaleNames[Zipf(rng, FemaleNames.Length)];
            var surname = surnamePool[Zipf(rng, surnamePool.Length)];
            var dob = new DateOnly(1940, 1, 1).AddDays(rng.Next(365 * 66));
            var postcode = Postcode(rng);
            rows.Add([string.Create(CultureInfo.InvariantCulture, $"r{rows.Count}"), p.ToString(CultureInfo.InvariantCulture), forename, surname, dob.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), postcode, male ? "M" : "F"]);
        }

        while (rows.Count < records)
        {
            var src = rows[rng.Next(people)];
            var dup = (string?[])src.Clone();
            dup[0] = string.Create(CultureInfo.InvariantCulture, $"r{rows.Count}");
            if (rng.NextDouble() < 0.25)
            {
                dup[2] = Nick.TryGetValue(dup[2]!, out var n) && rng.NextDouble() < 0.5 ? n[rng.Next(n.Length)] : Typo(rng, dup[2]!);
            }

            if (rng.NextDouble() < 0.2)
            {
                dup[3] = Typo(rng, dup[3]!);
            }

            if (rng.NextDouble() < 0.15)
            {
                var d = DateOnly.ParseExact(dup[4]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                dup[4] = rng.Next(3) switch
                {
                    0 when d.Day <= 12 => new DateOnly(d.Year, d.Day, d.Month).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    1 => d.AddDays(rng.Next(1, 10)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    _ => d.AddYears(rng.Next(2) == 0 ? 1 : -1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                };
            }

            if (rng.NextDouble() < 0.3)
            {
                dup[5] = Postcode(rng);
            }

            if (rng.NextDouble() < 0.05)
            {
                dup[2 + rng.Next(4)] = null;
            }

            rows.Add(dup);
        }

        return rows;
    }

    private static int Zipf(Random rng, int n)
    {
        // Skewed choice: frequent names are much more common, as in real data.
        var x = Math.Pow(rng.NextDouble(), 2.2);
        return Math.Min(n - 1, (int)(x * n));
    }

    private static string Surname(Random rng)
    {
        var s = Onsets[rng.Next(Onsets.Length)] + Vowels[rng.Next(Vowels.Length)] + Codas[rng.Next(Codas.Length)];
        if (rng.Next(3) > 0)
        {
            s += Endings[rng.Next(Endings.Length)];
        }

        return s.Length < 3 ? s + "SON" : s;
    }

    private static string Postcode(Random rng)
    {
        var area = rng.Next(3) == 0 ? Letters[rng.Next(Letters.Length)].ToString() : string.Concat(Letters[rng.Next(Letters.Length)], Letters[rng.Next(Letters.Length)]);
        return string.Create(CultureInfo.InvariantCulture, $"{area}{rng.Next(1, 30)} {rng.Next(10)}{Letters[rng.Next(Letters.Length)]}{Letters[rng.Next(Letters.Length)]}");
    }

    private static string Typo(Random rng, string s)
    {
        if (s.Length < 3)
        {
            return s;
        }

        var chars = s.ToCharArray();
        var i = rng.Next(1, chars.Length - 1);
        switch (rng.Next(3))
        {
            case 0:
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                return new string(chars);
            case 1:
                chars[i] = (char)('A' + rng.Next(26));
                return new string(chars);
            default:
                return s.Remove(i, 1);
        }
    }

    public const string BenchSettings = """
    {
      "link_type": "dedupe_only",
      "unique_id_column": "unique_id",
      "columns": [
        { "name": "forename", "standardise": "first_name" },
        { "name": "surname", "standardise": "name" },
        { "name": "date_of_birth", "standardise": "date" },
        { "name": "postcode", "standardise": "postcode" },
        { "name": "sex", "standardise": "sex" }
      ],
      "comparisons": [
        { "column": "forename", "preset": "name", "tf_adjustment": true, "nickname": true },
        { "column": "surname", "preset": "name", "tf_adjustment": true },
        { "column": "date_of_birth", "preset": "date_of_birth" },
        { "column": "postcode", "preset": "postcode", "tf_adjustment": true },
        { "column": "sex", "preset": "exact" }
      ],
      "blocking_rules_for_prediction": [["surname", "date_of_birth"], ["forename", "date_of_birth"], ["forename", "surname"], ["postcode"], ["date_of_birth", "sex"]],
      "blocking_rules_for_training": [["date_of_birth"], ["forename", "surname"], ["postcode"]],
      "deterministic_rules": [["forename", "surname", "date_of_birth"]],
      "deterministic_rules_recall": 0.6,
      "u_sampling": { "max_pairs": 1000000, "seed": 42 },
      "em": { "max_iterations": 30, "convergence_threshold": 0.0001 },
      "match_threshold": 0.9,
      "max_block_size": 50000
    }
    """;
}

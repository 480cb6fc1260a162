using System.Globalization;
using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Tests.Deidentification;

/// <summary>
/// Small seeded fixtures for the share tests: dataset profiles following the generated extracts'
/// column contract, and a synthetic population whose identifier values are distinctive (every one
/// has a character outside 0-9a-f, so a scan of hex pseudonyms can never match one by accident).
/// </summary>
internal static class ShareFixture
{
    public static readonly IReadOnlyDictionary<string, string> Courts = new Dictionary<string, string>
    {
        ["C01"] = "Northtown magistrates' court", ["C02"] = "Southvale magistrates' court", ["C03"] = "Eastmere magistrates' court",
        ["C04"] = "Westbury magistrates' court", ["C05"] = "Highfield magistrates' court",
    };

    public static readonly IReadOnlyDictionary<string, string> Sexes = new Dictionary<string, string> { ["M"] = "Male", ["F"] = "Female", ["U"] = "Unknown" };

    public static readonly IReadOnlyDictionary<string, string> Ethnicities = new Dictionary<string, string>
    {
        ["W1"] = "White British", ["A1"] = "Asian or Asian British", ["B1"] = "Black or Black British", ["M1"] = "Mixed", ["O1"] = "Other", ["NS"] = "Not stated",
    };

    private static readonly string[] OffenceCodes = ["TH68001", "CJ88116", "RT88191", "PU86001", "CD71001", "SX03001", "FI68001", "MD71001"];

    private static ColumnProfile Col(string name, ColumnType type, ColumnRole role, string? kind = null, IReadOnlyDictionary<string, string>? codes = null) =>
        new() { Name = name, Type = type, Role = role, IdentifierKind = kind, Codes = codes, Description = $"The {name.Replace('_', ' ')}." };

    private static IEnumerable<ColumnProfile> Identifiers() =>
    [
        Col("forenames", ColumnType.String, ColumnRole.DirectIdentifier, "forenames"),
        Col("surname", ColumnType.String, ColumnRole.DirectIdentifier, "surname"),
        Col("date_of_birth", ColumnType.Date, ColumnRole.DirectIdentifier, "date_of_birth"),
        Col("address", ColumnType.String, ColumnRole.DirectIdentifier, "address"),
        Col("postcode", ColumnType.String, ColumnRole.DirectIdentifier, "postcode"),
        Col("sex", ColumnType.Categorical, ColumnRole.DirectIdentifier, "sex", Sexes),
        Col("ethnicity", ColumnType.Categorical, ColumnRole.SpecialCategory, null, Ethnicities),
    ];

    private static DatasetProfile Profile(string name, string eventDate, IEnumerable<ColumnProfile> columns) => new()
    {
        Name = name,
        Title = $"{name} extract",
        Description = $"Synthetic {name} records for tests.",
        SourceSystem = $"{name} test system",
        RowMeaning = "one record",
        UniqueIdColumn = "row_id",
        EventDateColumn = eventDate,
        Columns = [.. columns],
    };

    public static IReadOnlyList<DatasetProfile> Profiles() =>
    [
        Profile("magistrates", "hearing_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("defendant_id", ColumnType.String, ColumnRole.SystemId), Col("case_id", ColumnType.String, ColumnRole.SystemId),
            .. Identifiers(),
            Col("court_code", ColumnType.Categorical, ColumnRole.Variable, null, Courts), Col("first_listing_date", ColumnType.Date, ColumnRole.Variable),
            Col("hearing_date", ColumnType.Date, ColumnRole.Variable), Col("offence_code", ColumnType.String, ColumnRole.Variable),
            Col("offence_group", ColumnType.Categorical, ColumnRole.Variable), Col("sent_to_crown_court", ColumnType.Boolean, ColumnRole.Variable, null, new Dictionary<string, string> { ["Y"] = "Yes", ["N"] = "No" }),
            Col("date_sent_to_crown_court", ColumnType.Date, ColumnRole.Variable), Col("outcome", ColumnType.Categorical, ColumnRole.Variable), Col("disposal", ColumnType.String, ColumnRole.Variable),
            Col("committed_for_sentence", ColumnType.Categorical, ColumnRole.Variable), Col("date_committed_for_sentence", ColumnType.Date, ColumnRole.Variable),
            Col("appeal_lodged", ColumnType.Categorical, ColumnRole.Variable), Col("sentence_date", ColumnType.Date, ColumnRole.Variable),
        ]),
        Profile("crown_court", "receipt_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("defendant_id", ColumnType.String, ColumnRole.SystemId), Col("case_id", ColumnType.String, ColumnRole.SystemId),
            .. Identifiers(),
            Col("receipt_type", ColumnType.Categorical, ColumnRole.Variable), Col("receipt_date", ColumnType.Date, ColumnRole.Variable),
            Col("committing_court_code", ColumnType.Categorical, ColumnRole.Variable, null, Courts), Col("offence_code", ColumnType.String, ColumnRole.Variable),
            Col("disposal", ColumnType.String, ColumnRole.Variable), Col("sentence_length_days", ColumnType.Integer, ColumnRole.Variable),
        ]),
        Profile("prisons", "reception_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("prisoner_number", ColumnType.String, ColumnRole.SystemId), .. Identifiers(),
            Col("reception_date", ColumnType.Date, ColumnRole.Variable), Col("establishment_code", ColumnType.Categorical, ColumnRole.Variable),
        ]),
        Profile("probation", "start_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("offender_id", ColumnType.String, ColumnRole.SystemId), .. Identifiers(),
            Col("start_date", ColumnType.Date, ColumnRole.Variable), Col("probation_area", ColumnType.Categorical, ColumnRole.Variable),
        ]),
        Profile("probation_requirements", "start_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("probation_row_id", ColumnType.String, ColumnRole.SystemId),
            Col("requirement_type", ColumnType.Categorical, ColumnRole.Variable), Col("start_date", ColumnType.Date, ColumnRole.Variable),
        ]),
        Profile("family_people", "first_hearing_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("case_id", ColumnType.String, ColumnRole.SystemId), .. Identifiers(),
            Col("party_role", ColumnType.Categorical, ColumnRole.Variable), Col("first_hearing_date", ColumnType.Date, ColumnRole.Variable),
        ]),
        Profile("family_cases", "start_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("case_id", ColumnType.String, ColumnRole.SystemId),
            Col("case_type", ColumnType.Categorical, ColumnRole.Variable), Col("court_code", ColumnType.Categorical, ColumnRole.Variable), Col("start_date", ColumnType.Date, ColumnRole.Variable),
        ]),
        Profile("family_events", "event_date",
        [
            Col("row_id", ColumnType.String, ColumnRole.SystemId), Col("case_id", ColumnType.String, ColumnRole.SystemId),
            Col("event_type", ColumnType.Categorical, ColumnRole.Variable), Col("event_date", ColumnType.Date, ColumnRole.Variable),
        ]),
    ];

    public const string SpecJson = """
        {
          "share": "proj-0001",
          "version": "v1",
          "keyId": "proj0001",
          "description": "Test share.",
          "datasets": {
            "magistrates": { "variables": ["defendant_id", "case_id", "sex", "ethnicity", "age_at_event", "court_code", "first_listing_date", "hearing_date", "offence_code", "offence_group", "sent_to_crown_court", "date_sent_to_crown_court", "outcome", "disposal"] },
            "crown_court": { "variables": ["defendant_id", "case_id", "sex", "age_at_event", "receipt_type", "receipt_date", "committing_court_code", "offence_code", "disposal", "sentence_length_days"] },
            "prisons": { "variables": "*" },
            "probation": { "variables": ["offender_id", "sex", "age_at_event", "start_date", "probation_area"] },
            "probation_requirements": { "variables": ["probation_row_id", "requirement_type", "start_date"] },
            "family_people": { "variables": ["case_id", "sex", "age_at_event", "party_role", "first_hearing_date"] },
            "family_cases": { "variables": ["case_id", "case_type", "court_code", "start_date"] },
            "family_events": { "variables": ["case_id", "event_type", "event_date"] }
          },
          "idDomains": { "probation_requirements.probation_row_id": "probation.row_id" },
          "disclosure": { "k": 5 }
        }
        """;

    public static string WithVersion(string version) => SpecJson.Replace("\"version\": \"v1\"", $"\"version\": \"{version}\"", StringComparison.Ordinal);

    /// <summary>A share of one dataset with every variable its profile allows.</summary>
    public static ShareSpec EveryShareableVariable(DatasetProfile profile, int disclosureK) => new()
    {
        Share = "t",
        Version = "v1",
        KeyId = "t",
        Description = "every shareable variable",
        Datasets = [new ShareDatasetSpec(profile.Name, ShareRules.ShareableVariables(profile))],
        DisclosureK = disclosureK,
    };

    public static PseudonymKey Key(byte fill = 7) => new("proj0001", Enumerable.Range(0, 32).Select(i => (byte)(i * 13 + fill)).ToArray());

    /// <summary>Generated extracts (dataset → CSV text) and their truth.</summary>
    public sealed class Population
    {
        public Dictionary<string, List<string[]>> Rows { get; } = new();

        public Dictionary<string, string[]> Headers { get; } = new();

        /// <summary>(dataset, row_id) → true person index.</summary>
        public Dictionary<RecordKey, int> TruePerson { get; } = new();

        /// <summary>(dataset, row_id) → the record's event date, for refresh cut-offs.</summary>
        public Dictionary<RecordKey, DateOnly> EventDate { get; } = new();

        public List<(string CrownCaseId, string MagistratesCaseId)> TrueCaseLinks { get; } = [];

        /// <summary>Every identifier value of the input: names, dates of birth (ISO and dd/MM/yyyy), addresses, postcodes, system ids.</summary>
        public HashSet<string> IdentifierValues { get; } = new(StringComparer.Ordinal);

        /// <summary>The extract of one dataset restricted to records the filter keeps (person index, event date).</summary>
        public string Csv(string dataset, Func<int?, DateOnly, bool>? keep = null)
        {
            var sb = new StringBuilder();
            sb.Append(string.Join(',', Headers[dataset])).Append('\n');
            foreach (var row in Rows[dataset])
            {
                var key = new RecordKey(dataset, row[0]);
                int? person = TruePerson.TryGetValue(key, out var p) ? p : null;
                if (keep is null || keep(person, EventDate[key]))
                {
                    sb.Append(string.Join(',', row.Select(Quote))).Append('\n');
                }
            }

            return sb.ToString();
        }

        private static string Quote(string v) => v.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    private static readonly string[] Syllables = ["zor", "vax", "qui", "lox", "jev", "wyn", "kru", "pyx", "zel", "mox", "tuv", "riq"];

    private static string Name(Random r, int parts) => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(string.Concat(Enumerable.Range(0, parts).Select(_ => Syllables[r.Next(Syllables.Length)])));

    public static Population Generate(int seed, int people)
    {
        var r = new Random(seed);
        var pop = new Population();
        string[] personHeader = ["forenames", "surname", "date_of_birth", "address", "postcode", "sex", "ethnicity"];
        pop.Headers["magistrates"] = ["row_id", "defendant_id", "case_id", .. personHeader, "court_code", "first_listing_date", "hearing_date", "offence_code", "offence_group", "sent_to_crown_court", "date_sent_to_crown_court", "outcome", "disposal", "committed_for_sentence", "date_committed_for_sentence", "appeal_lodged", "sentence_date"];
        pop.Headers["crown_court"] = ["row_id", "defendant_id", "case_id", .. personHeader, "receipt_type", "receipt_date", "committing_court_code", "offence_code", "disposal", "sentence_length_days"];
        pop.Headers["prisons"] = ["row_id", "prisoner_number", .. personHeader, "reception_date", "establishment_code"];
        pop.Headers["probation"] = ["row_id", "offender_id", .. personHeader, "start_date", "probation_area"];
        pop.Headers["probation_requirements"] = ["row_id", "probation_row_id", "requirement_type", "start_date"];
        pop.Headers["family_people"] = ["row_id", "case_id", .. personHeader, "party_role", "first_hearing_date"];
        pop.Headers["family_cases"] = ["row_id", "case_id", "case_type", "court_code", "start_date"];
        pop.Headers["family_events"] = ["row_id", "case_id", "event_type", "event_date"];
        foreach (var h in pop.Headers.Keys)
        {
            pop.Rows[h] = [];
        }

        var courts = Courts.Keys.ToArray();
        int magRow = 0, magCase = 0, crownRow = 0, crownCase = 0, otherRow = 0, famCase = 0;
        var start = new DateOnly(2016, 1, 1);
        for (var p = 0; p < people; p++)
        {
            var forenames = Name(r, 2);
            var surname = Name(r, 3);
            var dob = new DateOnly(1955, 1, 1).AddDays(r.Next(0, 45 * 365));
            var address = $"{r.Next(1, 300)} {Name(r, 2)} Street, {Name(r, 2)}ton";
            var postcode = $"Z{(char)('A' + r.Next(26))}{r.Next(1, 30)} {r.Next(1, 10)}{(char)('Q' + r.Next(8))}{(char)('Q' + r.Next(8))}";
            var sex = r.Next(100) < 80 ? "M" : "F";
            var ethnicity = Ethnicities.Keys.ElementAt(r.Next(Ethnicities.Count));
            pop.IdentifierValues.UnionWith([forenames, surname, ShareValues.FormatDate(dob), dob.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), address, postcode, postcode.Replace(" ", string.Empty, StringComparison.Ordinal)]);
            string[] Ident() => [forenames, surname, ShareValues.FormatDate(dob), address, postcode, sex, ethnicity];
            var defendant = $"MD{p:D6}";
            var crownDefendant = $"KD{p:D6}";
            pop.IdentifierValues.UnionWith([defendant, crownDefendant]);

            void Add(string dataset, int? person, DateOnly date, string[] row)
            {
                pop.Rows[dataset].Add(row);
                var key = new RecordKey(dataset, row[0]);
                if (person is { } pp)
                {
                    pop.TruePerson[key] = pp;
                }

                pop.EventDate[key] = date;
                pop.IdentifierValues.Add(row[0]);
            }

            // Court journeys in time order, as the real generator makes them: magistrates' cases; some sent
            // for trial (now and then several sent weeks apart and joined into one Crown case, now and
            // then one Crown case split in two), some committed for sentence, a few appealed.
            var date = start.AddDays(r.Next(0, 400));
            var journeys = r.Next(1, 4);
            for (var j = 0; j < journeys && date < start.AddDays(7 * 365); j++)
            {
                var court = courts[r.Next(courts.Length)];
                var route = r.Next(100);
                string MagCase(DateOnly hearing, string caseCourt, bool sentFlag, bool committed, bool appeal)
                {
                    var caseId = $"MC{++magCase:D6}";
                    pop.IdentifierValues.Add(caseId);
                    var code = OffenceCodes[r.Next(OffenceCodes.Length)];
                    var disposal = r.Next(100) < 3 ? "=HYPERLINK(\"http://example.invalid\",\"x\")" : (sentFlag ? string.Empty : (r.Next(2) == 0 ? "Fine" : "Community order"));
                    string[] row = [$"MR{++magRow:D7}", defendant, caseId, .. Ident(), caseCourt, ShareValues.FormatDate(hearing.AddDays(-r.Next(0, 30))), ShareValues.FormatDate(hearing), code, code[..2],
                        sentFlag ? "Y" : "N", sentFlag ? ShareValues.FormatDate(hearing) : string.Empty, sentFlag ? "SCC" : committed ? "CFS" : "CON", disposal,
                        committed ? "Y" : "N", committed ? ShareValues.FormatDate(hearing) : string.Empty, appeal ? "Y" : "N", sentFlag ? string.Empty : ShareValues.FormatDate(hearing)];
                    Add("magistrates", p, hearing, row);
                    if (r.Next(100) < 2)
                    {
                        Add("magistrates", p, hearing, row); // duplicated extract row (same row id)
                    }

                    return caseId;
                }

                string CrownCase(string type, DateOnly receipt, string committing)
                {
                    var crownCaseId = $"KC{++crownCase:D6}";
                    pop.IdentifierValues.Add(crownCaseId);
                    Add("crown_court", p, receipt, [$"CR{++crownRow:D7}", crownDefendant, crownCaseId, .. Ident(), type, ShareValues.FormatDate(receipt), committing, OffenceCodes[r.Next(OffenceCodes.Length)], "Immediate custody", r.Next(30, 2000).ToString(CultureInfo.InvariantCulture)]);
                    return crownCaseId;
                }

                if (route < 30)
                {
                    var sent = new List<(string Case, DateOnly Date)> { (MagCase(date, court, true, false, false), date) };
                    while (sent.Count < 3 && r.Next(100) < 20)
                    {
                        var next = sent[^1].Date.AddDays(r.Next(5, 41));
                        sent.Add((MagCase(next, r.Next(2) == 0 ? court : courts[r.Next(courts.Length)], true, false, false), next));
                    }

                    var receipt = sent[^1].Date.AddDays(r.Next(0, 6));
                    var parts = sent.Count == 1 && r.Next(100) < 5 ? 2 : 1;
                    for (var part = 0; part < parts; part++)
                    {
                        var crownCaseId = CrownCase("T", receipt, court);
                        pop.TrueCaseLinks.AddRange(sent.Select(x => (crownCaseId, x.Case)));
                    }

                    date = receipt.AddDays(r.Next(120, 500));
                }
                else if (route < 36)
                {
                    var caseId = MagCase(date, court, false, true, false);
                    pop.TrueCaseLinks.Add((CrownCase("S", date.AddDays(r.Next(0, 8)), court), caseId));
                    date = date.AddDays(r.Next(90, 400));
                }
                else if (route < 40)
                {
                    var caseId = MagCase(date, court, false, false, true);
                    pop.TrueCaseLinks.Add((CrownCase("A", date.AddDays(r.Next(7, 22) + r.Next(0, 8)), court), caseId));
                    date = date.AddDays(r.Next(90, 400));
                }
                else
                {
                    MagCase(date, court, false, false, false);
                    date = date.AddDays(r.Next(30, 400));
                }
            }

            if (r.Next(100) < 2)
            {
                // A Crown receipt whose magistrates' case is not in the extract: nothing should link to it, ideally.
                var orphan = $"KC{++crownCase:D6}";
                pop.IdentifierValues.Add(orphan);
                var d = start.AddDays(r.Next(0, 7 * 365));
                Add("crown_court", p, d, [$"CR{++crownRow:D7}", crownDefendant, orphan, .. Ident(), "T", ShareValues.FormatDate(d), courts[r.Next(courts.Length)], OffenceCodes[r.Next(OffenceCodes.Length)], "Immediate custody", string.Empty]);
            }

            if (r.Next(100) < 30)
            {
                var prisoner = $"PN{p:D6}Q";
                pop.IdentifierValues.Add(prisoner);
                var d = start.AddDays(r.Next(0, 7 * 365));
                Add("prisons", p, d, [$"PR{++otherRow:D7}", prisoner, .. Ident(), ShareValues.FormatDate(d), $"E{r.Next(1, 6)}"]);
            }

            if (r.Next(100) < 40)
            {
                var offender = $"PO{p:D6}X";
                pop.IdentifierValues.Add(offender);
                var d = start.AddDays(r.Next(0, 7 * 365));
                var probationRow = $"PB{++otherRow:D7}";
                Add("probation", p, d, [probationRow, offender, .. Ident(), ShareValues.FormatDate(d), $"A{r.Next(1, 5)}"]);
                for (var q = r.Next(0, 3); q > 0; q--)
                {
                    Add("probation_requirements", null, d, [$"RQ{++otherRow:D7}", probationRow, q == 1 ? "UPW" : "RAR", ShareValues.FormatDate(d)]);
                }
            }

            if (r.Next(100) < 15)
            {
                var caseId = $"FQ{++famCase:D6}";
                pop.IdentifierValues.Add(caseId);
                var d = start.AddDays(r.Next(0, 7 * 365));
                Add("family_people", p, d, [$"FP{++otherRow:D7}", caseId, .. Ident(), "RESPONDENT", ShareValues.FormatDate(d)]);
                Add("family_cases", null, d, [$"FK{++otherRow:D7}", caseId, "C100", courts[r.Next(courts.Length)], ShareValues.FormatDate(d)]);
                Add("family_events", null, d, [$"FV{++otherRow:D7}", caseId, "FHDRA", ShareValues.FormatDate(d.AddDays(30))]);
            }
        }

        return pop;
    }
}

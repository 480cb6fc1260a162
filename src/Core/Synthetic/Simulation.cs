using System.Globalization;
using System.Text;
using DataFirst.Core.Profiles;
using static DataFirst.Core.Synthetic.ReferenceData;

namespace DataFirst.Core.Synthetic;

/// <summary>
/// One generator run. Households are simulated one at a time (structure from one random stream,
/// identity noise from another, both keyed by seed and household number) and their rows streamed
/// to the extract files, so memory stays flat and a clean and a noisy run share every row.
/// </summary>
internal sealed class Simulation : IDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly GeneratorOptions _options;
    private readonly int _seed;
    private readonly List<ExtractFile> _files = [];
    private readonly List<TextWriter> _truth = [];
    private readonly TextWriter? _persons;
    private readonly TextWriter? _caseLinks;
    private readonly TextWriter? _badRows;
    private readonly TextWriter? _identityErrors;
    private readonly Dictionary<string, SourceNoise> _noise = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _dobFormats = new(StringComparer.Ordinal);
    private readonly Cols _m;
    private readonly Cols _c;
    private readonly Cols _p;
    private readonly Cols _pb;
    private readonly Cols _req;
    private readonly Cols _lic;
    private readonly Cols _pss;
    private readonly Cols _psr;
    private readonly Cols _fp;
    private readonly Cols _fc;
    private readonly Cols _fe;
    private long _truthRows;

    // The CRN of the probation event written last: its requirements, conditions and PSS carry it.
    private string _lastCrn = string.Empty;

    // System id counters (deterministic: households are simulated in order).
    private long _magsCase;
    private long _magsDefendant;
    private long _crownCase;
    private long _crownDefendant;
    private long _booking;
    private long _prisonNumber;
    private long _crn;
    private long _event;
    private long _requirement;
    private long _condition;
    private long _pssId;
    private long _psrId;
    private long _familyCase;
    private long _party;
    private long _familyEvent;

    // Per-household random streams.
    private Rng _s = new(0);
    private Rng _n = new(0);

    public Simulation(GeneratorOptions options, ProfileCatalog profiles, Func<string, Stream> openWrite)
    {
        _options = options;
        _seed = options.Seed;
        var selected = options.Datasets is { Count: > 0 } ? new HashSet<string>(options.Datasets, StringComparer.Ordinal) : null;
        var bad = options.BadInput;
        ExtractFile? Open(string dataset)
        {
            if (selected is not null && !selected.Contains(dataset))
            {
                return null;
            }

            if (!profiles.TryGet(dataset, out var profile))
            {
                throw new ArgumentException($"No profile for dataset '{dataset}' in the profile catalogue; add profiles/{dataset}.json or leave the dataset out of GeneratorOptions.Datasets.");
            }

            var encoding = bad.Encodings is not null && bad.Encodings.TryGetValue(dataset, out var e) ? e : ExtractEncoding.Utf8;
            var drop = bad.MissingColumns is not null && bad.MissingColumns.TryGetValue(dataset, out var d) ? d : null;
            var file = new ExtractFile(profile, openWrite(ExtractGenerator.FileName(dataset)), encoding, drop, _seed, bad.MalformedRowRate, ReportBadRow,
                options.RowOrderWindow, (rowId, tag) => RowWritten(dataset, rowId, tag));
            _files.Add(file);
            return file;
        }

        if (options.WriteTruth)
        {
            _persons = OpenTruth(openWrite, ExtractGenerator.TruthPersonsPath, "dataset,row_id,person_id");
            _caseLinks = OpenTruth(openWrite, ExtractGenerator.TruthCaseLinksPath, "crown_case_id,magistrates_case_id");
            _identityErrors = OpenTruth(openWrite, ExtractGenerator.TruthIdentityErrorsPath, "dataset,row_id,errors");
            if (bad.MalformedRowRate > 0)
            {
                _badRows = OpenTruth(openWrite, ExtractGenerator.TruthBadRowsPath, "dataset,row_id,defect");
            }
        }

        _m = new Cols(Open(ExtractGenerator.Magistrates));
        _c = new Cols(Open(ExtractGenerator.CrownCourt));
        _p = new Cols(Open(ExtractGenerator.Prisons));
        _pb = new Cols(Open(ExtractGenerator.Probation));
        _req = new Cols(Open(ExtractGenerator.ProbationRequirements));
        _lic = new Cols(Open(ExtractGenerator.ProbationLicenceConditions));
        _pss = new Cols(Open(ExtractGenerator.ProbationPss));
        _psr = new Cols(Open(ExtractGenerator.ProbationPsr));
        _fp = new Cols(Open(ExtractGenerator.FamilyPeople));
        _fc = new Cols(Open(ExtractGenerator.FamilyCases));
        _fe = new Cols(Open(ExtractGenerator.FamilyEvents));
        foreach (var source in ExtractGenerator.PersonLevelDatasets)
        {
            _noise[source] = options.NoiseFor(source);
            var format = profiles.TryGet(source, out var profile) ? profile.FindIdentifier(IdentifierKinds.DateOfBirth)?.Format : null;
            _dobFormats[source] = format ?? "yyyy-MM-dd";
        }
    }

    private TextWriter OpenTruth(Func<string, Stream> openWrite, string path, string header)
    {
        var writer = new StreamWriter(openWrite(path), Utf8NoBom, 1 << 16) { NewLine = "\n" };
        writer.Write(header);
        writer.Write('\n');
        _truth.Add(writer);
        return writer;
    }

    private void ReportBadRow(string dataset, string rowId, string defect)
    {
        if (_badRows is not null)
        {
            _badRows.Write(dataset);
            _badRows.Write(',');
            _badRows.Write(rowId);
            _badRows.Write(',');
            _badRows.Write(defect);
            _badRows.Write('\n');
        }
    }

    public GenerationSummary Run(CancellationToken cancellationToken)
    {
        long nextId = 1;
        long household = 0;
        var people = _options.People;
        while (nextId <= people)
        {
            if ((household & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            _s = Rng.For(_seed, household, 0);
            _n = Rng.For(_seed, household, 1);
            var h = PopulationBuilder.BuildHousehold(_s, (int)Math.Min(8, people - nextId + 1), ref nextId);
            SimulateHousehold(h);
            household++;
            if (_options.Progress is { } progress && (household & 4095) == 0)
            {
                progress.Report((int)(nextId - 1));
            }
        }

        _options.Progress?.Report(people);
        foreach (var file in _files)
        {
            file.Flush();
        }

        foreach (var writer in _truth)
        {
            writer.Flush();
        }

        var rows = ExtractGenerator.AllDatasets.ToDictionary(d => d, d => _files.FirstOrDefault(f => f.Name == d)?.Rows ?? 0L, StringComparer.Ordinal);
        foreach (var key in rows.Where(r => _files.All(f => f.Name != r.Key)).Select(r => r.Key).ToList())
        {
            rows.Remove(key);
        }

        return new GenerationSummary(people, (int)household, rows, _truthRows, _files.Sum(f => f.MalformedRows), TimeSpan.Zero);
    }

    private void SimulateHousehold(Household h)
    {
        var s = _s;

        // Family court first: a private-law case can move a separated parent to a new home,
        // which later criminal records then show.
        var familyCase = h.Kind == HouseholdKind.Family && h.Children.Count > 0 && s.Chance(0.4);
        if (familyCase)
        {
            SimulateFamilyCase(h);
            if (s.Chance(0.15))
            {
                SimulateFamilyCase(h);
            }
        }

        foreach (var person in h.Members)
        {
            var offends = person.IsChild
                ? s.Chance(0.12)
                : familyCase ? s.Chance(0.35) : h.Kind == HouseholdKind.Single ? s.Chance(0.95) : s.Chance(0.65);
            if (offends)
            {
                SimulateCareer(person, h);
            }
        }
    }

    // ------------------------------------------------------------------ criminal careers

    private sealed record Sentence(
        Person Person, DateOnly Date, string Disposal, int Days, Offence Offence, string CourtCode, bool ByCrown,
        DateOnly? RemandFrom, int Requirements, bool PsrRequested, DateOnly ConvictionDate, int RemandDays);

    private sealed record MagsCase(string CaseId, string Court, DateOnly SentDate, Offence Offence, bool RemandedInCustody, DateOnly FirstListing, Person? CoDefendant);

    private void SimulateCareer(Person person, Household household)
    {
        var s = _s;
        var earliest = person.DateOfBirth.AddYears(person.IsChild ? 12 : 17);
        if (earliest < WindowStart)
        {
            earliest = WindowStart;
        }

        if (earliest > WindowEnd.AddDays(-60))
        {
            return;
        }

        var span = WindowEnd.DayNumber - earliest.DayNumber;
        var date = earliest.AddDays(s.Next((int)(span * 0.6) + 1));
        var cases = s.Count(0.45, 12);
        var pendingSent = new List<MagsCase>(4);
        for (var i = 0; i < cases && date <= WindowEnd; i++)
        {
            // Now and then another member of the household is charged in the same case.
            Person? coDefendant = null;
            if (s.Chance(0.06))
            {
                var others = household.Members.Where(o => !ReferenceEquals(o, person) && o.AgeAt(date) >= 12).ToList();
                coDefendant = others.Count > 0 ? others[s.Next(others.Count)] : null;
            }

            var free = SimulateMagistratesCase(person, date, pendingSent, forceSent: false, coDefendant);

            // Several magistrates' cases of one person sent in quick succession are often joined
            // into one Crown Court case: make some of them.
            while (pendingSent.Count is > 0 and < 3 && s.Chance(0.15))
            {
                var next = pendingSent[^1].SentDate.AddDays(s.Between(5, 40));
                if (next > WindowEnd)
                {
                    break;
                }

                SimulateMagistratesCase(person, next, pendingSent, forceSent: true, coDefendant: null);
            }

            if (pendingSent.Count > 0)
            {
                var crownFree = SimulateCrownTrial(person, pendingSent);
                pendingSent.Clear();
                if (crownFree > free)
                {
                    free = crownFree;
                }
            }

            date = free.AddDays(14 + (int)s.Exponential(280));
        }
    }

    /// <summary>Simulates one magistrates' case; returns the date from which the person can offend again.</summary>
    private DateOnly SimulateMagistratesCase(Person person, DateOnly offenceDate, List<MagsCase> pendingSent, bool forceSent, Person? coDefendant)
    {
        var s = _s;
        var region = person.Region;
        var offence = OffenceWeights.Pick(s);
        if (forceSent && offence.Type is OffenceType.SummaryMotoring or OffenceType.SummaryNonMotoring)
        {
            offence = Offences[s.Between(10, Offences.Length - 1)];
        }

        var court = region.MagistratesCourts[s.Next(region.MagistratesCourts.Length)];
        var caseId = "MC" + (++_magsCase).ToString("D8", CultureInfo.InvariantCulture);
        var summary = offence.Type is OffenceType.SummaryMotoring or OffenceType.SummaryNonMotoring;
        var bySummons = summary && s.Chance(offence.Type == OffenceType.SummaryMotoring || offence.Code == "CA03001" ? 0.85 : 0.3);
        var sjp = bySummons && offence.Type == OffenceType.SummaryMotoring && s.Chance(0.5);
        DateOnly? arrest = bySummons ? null : offenceDate.AddDays(s.Chance(0.6) ? 0 : s.Between(1, 60));
        DateOnly? charge = arrest?.AddDays(s.Chance(0.8) ? 0 : s.Between(1, 28));
        var initiation = charge ?? offenceDate.AddDays(s.Between(20, 150));
        var bail = bySummons ? "NA"
            : offence.Type == OffenceType.IndictableOnly ? (s.Chance(0.45) ? "RC" : "CB")
            : s.Chance(0.08) ? "RC" : s.Chance(0.5) ? "CB" : "UB";
        var firstListing = initiation.AddDays(bail == "RC" ? 1 : bySummons ? s.Between(21, 70) : s.Between(7, 35));

        string plea;
        var modeOfTrial = "SO";
        var election = false;
        var sent = false;
        var committed = false;
        string outcome;
        var trial = false;
        if (offence.Type == OffenceType.IndictableOnly || forceSent)
        {
            modeOfTrial = offence.Type == OffenceType.IndictableOnly ? "IO" : "DJ";
            plea = "NP";
            sent = true;
            outcome = "SCC";
        }
        else if (offence.Type == OffenceType.EitherWay && s.Chance(0.15))
        {
            modeOfTrial = "DJ";
            plea = "NP";
            sent = true;
            outcome = "SCC";
        }
        else
        {
            if (offence.Type == OffenceType.EitherWay)
            {
                modeOfTrial = "MA";
                election = s.Chance(0.06);
            }

            plea = election ? "NG" : s.Chance(sjp ? 0.5 : 0.72) ? "G" : s.Chance(0.6) ? "NG" : s.Chance(0.3) ? "MX" : "NP";
            if (election)
            {
                sent = true;
                outcome = "SCC";
            }
            else if (s.Chance(0.07))
            {
                outcome = s.Chance(0.8) ? "WDN" : "DIS";
            }
            else if (plea == "NG")
            {
                trial = true;
                outcome = s.Chance(0.6) ? "CON" : "ACQ";
            }
            else
            {
                outcome = "CON";
            }

            if (outcome == "CON" && offence.Type == OffenceType.EitherWay && s.Chance(0.06))
            {
                committed = true;
                outcome = "CFS";
            }
        }

        var hearing = firstListing.AddDays(sent ? (s.Chance(0.7) ? 0 : s.Between(7, 28)) : trial ? s.Between(40, 160) : plea == "G" ? (s.Chance(0.6) ? 0 : s.Between(7, 35)) : s.Between(14, 90));
        var hearings = sent ? s.Between(1, 2) : trial ? s.Between(3, 7) : s.Between(1, 3);
        var convicted = outcome is "CON" or "CFS";
        var disposal = "NA";
        var sentenceDays = 0;
        var requirements = 0;
        var psr = false;
        DateOnly? sentenceDate = null;
        if (outcome == "CON")
        {
            var r = s.NextDouble();
            disposal = offence.Type switch
            {
                OffenceType.SummaryMotoring => r < 0.80 ? "FN" : r < 0.85 ? "CD" : r < 0.90 ? "CO" : r < 0.94 ? "SS" : r < 0.97 ? "IC" : r < 0.98 ? "AD" : "OT",
                OffenceType.SummaryNonMotoring => r < 0.45 ? "FN" : r < 0.65 ? "CD" : r < 0.80 ? "CO" : r < 0.88 ? "SS" : r < 0.95 ? "IC" : r < 0.97 ? "AD" : "OT",
                _ => r < 0.30 ? "FN" : r < 0.45 ? "CD" : r < 0.70 ? "CO" : r < 0.85 ? "SS" : r < 0.98 ? "IC" : "OT",
            };
            if (offence.TypicalCustodyDays == 0 && disposal is "IC" or "SS")
            {
                // Non-imprisonable offences (speeding, TV licence evasion...).
                disposal = "FN";
            }

            psr = disposal is "CO" or "SS" or "IC" && s.Chance(0.5);
            sentenceDate = psr ? hearing.AddDays(s.Between(14, 28)) : hearing;
            var maxCustody = sentenceDate >= new DateOnly(2022, 5, 2) ? 365 : 182;
            sentenceDays = disposal switch
            {
                "IC" => Math.Clamp((int)(Math.Max(offence.TypicalCustodyDays, 28) * Math.Exp((s.NextDouble() - 0.5) * 1.2)), 7, maxCustody),
                "SS" => Math.Clamp((int)(Math.Max(offence.TypicalCustodyDays, 28) * Math.Exp((s.NextDouble() - 0.5) * 1.2)), 14, maxCustody),
                "CO" => s.Between(6, 36) * 30,
                _ => 0,
            };
            requirements = disposal is "CO" or "SS" ? s.Between(1, 3) : 0;
        }

        var remandDays = bail == "RC" ? Math.Max(0, (sentenceDate ?? hearing).DayNumber - firstListing.DayNumber) : 0;
        DateOnly? sentDate = sent ? hearing : null;
        DateOnly? committedDate = committed ? hearing : null;
        var fine = disposal == "FN" ? s.Between(4, 200) * 10m : (decimal?)null;
        var compensation = convicted && s.Chance(0.15) ? s.Between(2, 100) * 10m : 0m;
        var costs = convicted ? (s.Chance(0.7) ? 85m : s.Between(5, 60) * 10m) : 0m;
        var surcharge = convicted ? s.Between(2, 19) * 10m : 0m;
        var points = offence.Type == OffenceType.SummaryMotoring && convicted && offence.Code != "RT88001" ? s.Between(3, 6) : 0;
        var disqualification = offence.Code is "RT88007" or "RT88001" && convicted ? s.Between(12, 36) * 30 : 0;
        var legalAid = summary && !sent ? (s.Chance(0.3) ? "G" : "N") : s.Chance(0.85) ? "G" : "R";
        var representation = legalAid == "G" ? (s.Chance(0.7) ? "S" : "D") : s.Chance(0.5) ? "U" : "S";
        var interpreter = s.Chance(0.04);
        var failed = s.Chance(0.08);
        var warrant = failed && s.Chance(0.5);
        var domestic = offence.Group == "01" && s.Chance(0.35);
        var appeal = outcome == "CON" && s.Chance(0.015);
        var crownCourt = region.CrownCourt;
        var offences = s.Count(0.35, 9);
        var prosecutor = offence.Code == "CA03001" ? "TVL" : sjp ? (s.Chance(0.7) ? "POL" : "DVL") : "CPS";
        var asn = string.Create(CultureInfo.InvariantCulture, $"{offenceDate.Year % 100:D2}01{region.Code}{_magsCase:D10}{(char)('A' + (_magsCase % 26))}");

        var m = _m;
        Emit(person);
        if (coDefendant is not null)
        {
            Emit(coDefendant);
        }

        void Emit(Person who)
        {
            var defendantId = "LD" + (++_magsDefendant).ToString("D8", CultureInfo.InvariantCulture);
            if (m.File is not { } file)
            {
                WritePersonRow(m, ExtractGenerator.Magistrates, who, firstListing);
                return;
            }

            file.Set(m["defendant_id"], defendantId);
            file.Set(m["case_id"], caseId);
            file.Set(m["asn"], asn);
            file.Set(m["court_code"], court);
            file.Set(m["court_region"], region.Code);
            file.Set(m["defendant_type"], "P");
            file.SetYesNo(m["youth_flag"], who.AgeAt(firstListing) < 18);
            file.Set(m["offence_date"], offenceDate);
            file.Set(m["arrest_date"], arrest);
            file.Set(m["charge_date"], charge);
            file.Set(m["proceedings_type"], bySummons ? (sjp ? "SJ" : "SU") : "CH");
            file.Set(m["proceedings_initiation_date"], initiation);
            file.Set(m["prosecutor"], prosecutor);
            file.Set(m["first_listing_date"], firstListing);
            file.Set(m["hearing_date"], hearing);
            file.Set(m["number_of_hearings"], hearings);
            file.Set(m["offence_code"], offence.Code);
            file.Set(m["offence_group"], offence.Group);
            file.Set(m["offence_type"], TypeCode(offence.Type));
            file.Set(m["number_of_offences"], offences);
            file.Set(m["plea"], plea);
            file.Set(m["plea_date"], plea == "NP" ? null : (DateOnly?)(plea == "G" ? hearing : firstListing));
            file.Set(m["mode_of_trial"], modeOfTrial);
            file.SetYesNo(m["election_for_jury_trial"], election);
            file.Set(m["bail_status"], bail);
            file.Set(m["custody_remand_days"], remandDays);
            file.SetYesNo(m["sent_to_crown_court"], sent);
            file.Set(m["date_sent_to_crown_court"], sentDate);
            file.SetYesNo(m["committed_for_sentence"], committed);
            file.Set(m["date_committed_for_sentence"], committedDate);
            file.Set(m["crown_court_code"], sent || committed ? crownCourt : null);
            file.Set(m["outcome"], outcome);
            file.Set(m["outcome_date"], hearing);
            file.SetYesNo(m["trial_held"], trial);
            file.Set(m["disposal"], disposal);
            file.Set(m["sentence_date"], sentenceDate);
            file.Set(m["sentence_length_days"], sentenceDays > 0 ? sentenceDays.ToString(CultureInfo.InvariantCulture) : null);
            file.Set(m["number_of_requirements"], requirements);
            file.SetMoney(m["fine_amount"], fine);
            file.SetMoney(m["compensation_amount"], compensation);
            file.SetMoney(m["costs_amount"], costs);
            file.SetMoney(m["victim_surcharge_amount"], surcharge);
            file.Set(m["penalty_points"], points);
            file.Set(m["disqualification_days"], disqualification);
            file.Set(m["legal_aid"], legalAid);
            file.Set(m["representation"], representation);
            file.SetYesNo(m["interpreter_required"], interpreter);
            file.SetYesNo(m["failed_to_appear"], failed);
            file.SetYesNo(m["warrant_issued"], warrant);
            file.SetYesNo(m["psr_requested"], psr);
            file.SetYesNo(m["domestic_abuse_flag"], domestic);
            file.SetYesNo(m["appeal_lodged"], appeal);
            file.Set(m["extract_date"], ExtractDate);
            WritePersonRow(m, ExtractGenerator.Magistrates, who, firstListing);
        }

        var free = hearing;
        if (sent)
        {
            pendingSent.Add(new MagsCase(caseId, court, hearing, offence, bail == "RC", firstListing, coDefendant));
        }
        else if (committed)
        {
            free = SimulateCrownSentenceOrAppeal(person, "S", court, caseId, hearing, offence, bail == "RC" ? firstListing : null, null);
        }
        else if (outcome == "CON")
        {
            var sentence = new Sentence(person, sentenceDate!.Value, disposal, sentenceDays, offence, court, false,
                bail == "RC" ? firstListing : null, requirements, psr, hearing, remandDays);
            free = FollowSentence(sentence);
            if (coDefendant is not null)
            {
                FollowSentence(sentence with { Person = coDefendant });
            }

            if (appeal)
            {
                SimulateCrownSentenceOrAppeal(person, "A", court, caseId, sentenceDate.Value.AddDays(s.Between(7, 21)), offence, null, disposal);
            }
        }
        else if (bail == "RC")
        {
            // Remanded in custody, then acquitted / withdrawn: a remand-only custodial journey.
            RemandJourney(person, firstListing, hearing, offence, outcome == "ACQ" ? "ACQ" : "BAI");
            if (coDefendant is not null)
            {
                RemandJourney(coDefendant, firstListing, hearing, offence, outcome == "ACQ" ? "ACQ" : "BAI");
            }
        }

        return free;
    }

    private string NewCrownCaseId(string type, DateOnly receipt) =>
        string.Create(CultureInfo.InvariantCulture, $"{type}{receipt.Year}{++_crownCase:D7}");

    /// <summary>A Crown Court trial case made from one or more magistrates' cases sent for trial (sometimes split in two).</summary>
    private DateOnly SimulateCrownTrial(Person person, List<MagsCase> sentCases)
    {
        var s = _s;
        var last = sentCases[^1];
        var receipt = last.SentDate.AddDays(s.Between(0, 5));
        var main = sentCases.OrderByDescending(c => c.Offence.TypicalCustodyDays).First();
        var remanded = sentCases.Any(c => c.RemandedInCustody) && s.Chance(0.8);
        var split = sentCases.Count == 1 && s.Chance(0.05);
        var coDefendants = sentCases.Select(c => c.CoDefendant).OfType<Person>().Distinct().ToList();
        var free = receipt;
        var parts = split ? 2 : 1;
        for (var part = 0; part < parts; part++)
        {
            var offence = part == 0 ? main.Offence : Offences[s.Between(10, Offences.Length - 1)];
            var caseId = NewCrownCaseId("T", receipt);
            var plea = s.Chance(0.65) ? "G" : s.Chance(0.9) ? "NG" : "MX";
            var verdict = plea != "NG" ? "GP" : s.NextDouble() switch { < 0.55 => "GV", < 0.85 => "NGV", < 0.9 => "DIR", _ => "DRP" };
            var convicted = verdict is "GP" or "GV";
            DateOnly? trialStart = plea == "NG" && verdict != "DRP" ? receipt.AddDays(s.Between(120, 420)) : null;
            var outcomeDate = trialStart?.AddDays(s.Between(2, 10)) ?? receipt.AddDays(s.Between(28, 120));
            var disposal = "NA";
            var days = 0;
            if (convicted)
            {
                var r = s.NextDouble();
                disposal = r < 0.5 ? "IC" : r < 0.72 ? "SS" : r < 0.87 ? "CO" : r < 0.92 ? "FN" : r < 0.97 ? "CD" : "OT";
                if (offence.Code == "HO61050")
                {
                    disposal = "IC";
                }

                days = disposal switch
                {
                    "IC" => Math.Max(60, (int)(Math.Max(offence.TypicalCustodyDays, 120) * Math.Exp((s.NextDouble() - 0.5) * 1.4))),
                    "SS" => s.Between(90, 730),
                    "CO" => s.Between(6, 36) * 30,
                    _ => 0,
                };
            }

            var psr = convicted && disposal != "FN" && s.Chance(0.45);
            var sentenceDate = convicted ? outcomeDate.AddDays(psr ? s.Between(14, 35) : 0) : (DateOnly?)null;
            var remandFrom = remanded ? sentCases.Min(c => c.FirstListing) : (DateOnly?)null;
            var remandDays = remandFrom is { } rf ? Math.Max(0, (sentenceDate ?? outcomeDate).DayNumber - rf.DayNumber) : 0;
            var bail = remanded ? "RC" : s.Chance(0.6) ? "CB" : "UB";
            WriteCrownRow(person, caseId, "T", receipt, main.Court, offence, plea, trialStart, verdict, "NA", outcomeDate, disposal, sentenceDate, days, bail, remandDays, psr);
            foreach (var co in coDefendants)
            {
                WriteCrownRow(co, caseId, "T", receipt, main.Court, offence, plea, trialStart, verdict, "NA", outcomeDate, disposal, sentenceDate, days, bail, remandDays, psr);
            }

            foreach (var sent in sentCases)
            {
                WriteCaseLink(caseId, sent.CaseId);
            }

            if (convicted && part == 0)
            {
                var sentence = new Sentence(person, sentenceDate!.Value, disposal, days, offence, person.Region.CrownCourt, true,
                    remandFrom, disposal is "CO" or "SS" ? s.Between(1, 3) : 0, psr, outcomeDate, remandDays);
                free = FollowSentence(sentence);
                foreach (var co in coDefendants)
                {
                    FollowSentence(sentence with { Person = co });
                }
            }
            else if (!convicted && remanded && part == 0)
            {
                RemandJourney(person, remandFrom!.Value, outcomeDate, offence, "ACQ");
                foreach (var co in coDefendants)
                {
                    RemandJourney(co, remandFrom.Value, outcomeDate, offence, "ACQ");
                }

                free = outcomeDate;
            }
            else if (part == 0)
            {
                free = outcomeDate;
            }
        }

        return free;
    }

    /// <summary>A committal for sentence ("S") or an appeal ("A") received from a magistrates' case.</summary>
    private DateOnly SimulateCrownSentenceOrAppeal(Person person, string type, string magsCourt, string magsCaseId, DateOnly from, Offence offence, DateOnly? remandFrom, string? magsDisposal)
    {
        var s = _s;
        var receipt = from.AddDays(s.Between(0, 7));
        var caseId = NewCrownCaseId(type, receipt);
        var outcomeDate = receipt.AddDays(s.Between(14, 70));
        string disposal;
        var days = 0;
        var appealOutcome = "NA";
        if (type == "S")
        {
            var r = s.NextDouble();
            disposal = r < 0.45 ? "IC" : r < 0.75 ? "SS" : "CO";
            days = disposal switch
            {
                "IC" => Math.Max(120, (int)(Math.Max(offence.TypicalCustodyDays, 180) * Math.Exp((s.NextDouble() - 0.3) * 1.2))),
                "SS" => s.Between(180, 730),
                _ => s.Between(12, 36) * 30,
            };
        }
        else
        {
            appealOutcome = s.NextDouble() switch { < 0.35 => "AL", < 0.8 => "DI", < 0.95 => "AB", _ => "VA" };
            disposal = appealOutcome == "AL" ? "NA" : magsDisposal ?? "NA";
        }

        var psr = type == "S" && s.Chance(0.5);
        var remandDays = remandFrom is { } rf ? Math.Max(0, outcomeDate.DayNumber - rf.DayNumber) : 0;
        WriteCrownRow(person, caseId, type, receipt, magsCourt, offence, type == "S" ? "G" : "NP", null, "NA", appealOutcome, outcomeDate,
            disposal, type == "S" ? outcomeDate : null, days, remandFrom is null ? (s.Chance(0.6) ? "CB" : "UB") : "RC", remandDays, psr);
        WriteCaseLink(caseId, magsCaseId);
        if (type == "S")
        {
            return FollowSentence(new Sentence(person, outcomeDate, disposal, days, offence, person.Region.CrownCourt, true, remandFrom,
                disposal is "CO" or "SS" ? s.Between(1, 3) : 0, psr, from, remandDays));
        }

        return outcomeDate;
    }

    private void WriteCrownRow(Person person, string caseId, string receiptType, DateOnly receipt, string committingCourt, Offence offence, string plea,
        DateOnly? trialStart, string verdict, string appealOutcome, DateOnly outcomeDate, string disposal, DateOnly? sentenceDate, int days,
        string bail, int remandDays, bool psr)
    {
        var s = _s;
        var defendantId = "XD" + (++_crownDefendant).ToString("D8", CultureInfo.InvariantCulture);
        var counts = s.Count(0.4, 8);
        var hearings = s.Between(2, trialStart is null ? 4 : 9);
        var judge = offence.Type == OffenceType.IndictableOnly && s.Chance(0.1) ? "HC" : s.Chance(0.8) ? "CJ" : "RE";
        var fine = disposal == "FN" ? s.Between(20, 500) * 10m : (decimal?)null;
        var legalAid = s.Chance(0.9) ? "G" : "R";
        var representation = legalAid == "G" ? "S" : s.Chance(0.3) ? "U" : "S";
        var c = _c;
        if (c.File is { } file)
        {
            file.Set(c["defendant_id"], defendantId);
            file.Set(c["case_id"], caseId);
            file.Set(c["receipt_type"], receiptType);
            file.Set(c["receipt_date"], receipt);
            file.Set(c["crown_court_code"], person.Region.CrownCourt);
            file.Set(c["committing_court_code"], committingCourt);
            file.Set(c["offence_code"], offence.Code);
            file.Set(c["offence_group"], offence.Group);
            file.Set(c["offence_type"], TypeCode(offence.Type));
            file.Set(c["number_of_counts"], counts);
            file.Set(c["plea"], plea);
            file.Set(c["plea_date"], plea == "NP" ? null : receipt.AddDays(28));
            file.Set(c["trial_start_date"], trialStart);
            file.Set(c["verdict"], verdict);
            file.Set(c["appeal_outcome"], appealOutcome);
            file.Set(c["outcome_date"], outcomeDate);
            file.Set(c["disposal"], disposal);
            file.Set(c["sentence_date"], sentenceDate);
            file.Set(c["sentence_length_days"], days > 0 ? days.ToString(CultureInfo.InvariantCulture) : null);
            file.SetMoney(c["fine_amount"], fine);
            file.Set(c["bail_status"], bail);
            file.Set(c["custody_remand_days"], remandDays);
            file.Set(c["legal_aid"], legalAid);
            file.Set(c["representation"], representation);
            file.Set(c["number_of_hearings"], hearings);
            file.Set(c["judge_type"], judge);
            file.SetYesNo(c["psr_requested"], psr);
            file.Set(c["extract_date"], ExtractDate);
        }

        WritePersonRow(c, ExtractGenerator.CrownCourt, person, receipt);
    }

    private void WriteCaseLink(string crownCaseId, string magsCaseId)
    {
        if (_caseLinks is { } w)
        {
            w.Write(crownCaseId);
            w.Write(',');
            w.Write(magsCaseId);
            w.Write('\n');
        }
    }

    // ------------------------------------------------------------------ custody and probation

    /// <summary>Custody and probation that follow a sentence; returns when the person is next at liberty.</summary>
    private DateOnly FollowSentence(Sentence sentence)
    {
        var s = _s;
        var person = sentence.Person;
        if (sentence.Disposal == "IC")
        {
            var life = sentence.Offence.Code == "HO61050";
            var youth = person.AgeAt(sentence.Date) < 18;
            var type = life ? "LIFE" : youth ? "DTO" : sentence.Days > 1460 && s.Chance(0.2) ? "EDS" : "SDS";
            var share = type == "EDS" ? 2.0 / 3 : 0.5;
            var reception = sentence.RemandFrom ?? sentence.Date;
            var crd = sentence.Date.AddDays(Math.Max(0, (int)(sentence.Days * share) - sentence.RemandDays));
            var release = crd;
            var releaseType = type == "EDS" ? "PAR" : "CRD";
            if (life)
            {
                release = sentence.Date.AddDays(sentence.Days);
                releaseType = "PAR";
            }
            else if (type == "SDS" && sentence.Days is >= 84 and < 1460 && s.Chance(0.25))
            {
                release = crd.AddDays(-s.Between(14, Math.Min(180, sentence.Days / 4)));
                releaseType = "HDC";
                if (release < sentence.Date)
                {
                    release = sentence.Date;
                }
            }

            var establishment = sentence.Days > 1460 && s.Chance(0.5) ? NationalPrisons[s.Next(NationalPrisons.Length)] : person.Region.Prison;
            var security = life ? "A" : sentence.Days > 1460 ? (s.Chance(0.6) ? "B" : "C") : s.Chance(0.1) ? "D" : "C";
            WritePrisonRow(person, establishment, reception, sentence.RemandFrom is null ? "S" : "R", type, sentence.Date, sentence.Days, sentence.Offence,
                sentence.ByCrown ? "CC" : "MC", crd, release, releaseType, security);

            if (sentence.PsrRequested)
            {
                WritePsr(person, sentence, null);
            }

            // Licence on release (sentences over one day), post-sentence supervision after short ones.
            var expiry = sentence.Date.AddDays(sentence.Days);
            if (!life && release <= ExtractDate && expiry > release)
            {
                var eventId = NextEventId();
                var breached = s.Chance(0.15);
                var end = breached ? release.AddDays(s.Between(14, Math.Max(15, expiry.DayNumber - release.DayNumber))) : expiry;
                var conditions = s.Between(2, 4);
                WriteProbationEvent(person, eventId, "LIC", sentence, release, end, breached ? "BRE" : "CMP", conditions);
                for (var i = 0; i < conditions; i++)
                {
                    WriteLicenceCondition(eventId, release, end, i, breached);
                }

                if (sentence.Days < 730)
                {
                    WritePss(eventId, expiry, release.AddDays(365));
                }

                if (breached && end <= ExtractDate)
                {
                    // Recall to custody for the rest of the sentence.
                    WritePrisonRow(person, person.Region.Prison, end, "L", type, sentence.Date, sentence.Days, sentence.Offence,
                        sentence.ByCrown ? "CC" : "MC", crd, expiry, "SED", "C");
                    return expiry;
                }
            }

            return release;
        }

        if (sentence.Disposal is "CO" or "SS")
        {
            var eventId = sentence.Date <= ExtractDate ? NextEventId() : null;
            if (sentence.PsrRequested)
            {
                WritePsr(person, sentence, eventId);
            }

            if (eventId is null)
            {
                return sentence.Date;
            }

            var length = sentence.Disposal == "SS" ? Math.Max(sentence.Days, s.Between(6, 24) * 30) : sentence.Days;
            var r = s.NextDouble();
            var reason = r < 0.65 ? "CMP" : r < 0.8 ? "BRE" : r < 0.9 ? "NOF" : "EAR";
            var end = reason == "CMP" ? sentence.Date.AddDays(length) : sentence.Date.AddDays(s.Between(30, Math.Max(31, length)));
            WriteProbationEvent(person, eventId, sentence.Disposal == "SS" ? "SSO" : "CO", sentence with { Days = length }, sentence.Date, end, reason, sentence.Requirements);
            for (var i = 0; i < sentence.Requirements; i++)
            {
                WriteRequirement(eventId, sentence.Date, end, reason, i);
            }

            if (sentence.Disposal == "SS" && reason is "BRE" or "NOF" && s.Chance(0.4) && end <= ExtractDate)
            {
                // Suspended sentence activated: the custodial term is served.
                var crd = end.AddDays(sentence.Days / 2);
                WritePrisonRow(person, person.Region.Prison, end, "S", "SDS", end, sentence.Days, sentence.Offence, sentence.ByCrown ? "CC" : "MC", crd, crd, "CRD", "C");
                return crd;
            }
        }

        return sentence.Date;
    }

    private string NextEventId() => (++_event).ToString("D9", CultureInfo.InvariantCulture);

    private void RemandJourney(Person person, DateOnly from, DateOnly to, Offence offence, string releaseType) =>
        WritePrisonRow(person, person.Region.Prison, from, "R", "REM", null, 0, offence, "NA", null, to, releaseType, "U");

    private void WritePrisonRow(Person person, string establishment, DateOnly reception, string receptionType, string sentenceType, DateOnly? sentenceDate,
        int days, Offence offence, string courtType, DateOnly? crd, DateOnly release, string releaseType, string security)
    {
        if (reception > ExtractDate)
        {
            return;
        }

        var s = _s;

        // A prisoner keeps one prison number, though now and then a new one is issued.
        if (person.PrisonNumber is null || s.Chance(0.06))
        {
            var k = _prisonNumber++;
            person.PrisonNumber = string.Create(CultureInfo.InvariantCulture,
                $"{(char)('A' + (k / 6_760_000 % 26))}{k / 676 % 10000:D4}{(char)('A' + (k / 26 % 26))}{(char)('A' + (k % 26))}");
        }

        var bookingId = (++_booking).ToString("D8", CultureInfo.InvariantCulture);
        var released = release <= ExtractDate;
        var nationality = s.NextDouble() switch { < 0.88 => "UK", < 0.94 => "EU", < 0.99 => "OT", _ => "NK" };
        var transfers = s.Count(0.35, 6) - 1;
        var p = _p;
        if (p.File is { } file)
        {
            file.Set(p["prison_number"], person.PrisonNumber);
            file.Set(p["booking_id"], bookingId);
            file.Set(p["establishment_code"], establishment);
            file.Set(p["reception_date"], reception);
            file.Set(p["reception_type"], receptionType);
            file.Set(p["sentence_type"], sentenceType);
            file.Set(p["sentence_date"], sentenceDate);
            file.Set(p["sentence_length_days"], days > 0 ? days.ToString(CultureInfo.InvariantCulture) : null);
            file.Set(p["main_offence_code"], offence.Code);
            file.Set(p["offence_group"], offence.Group);
            file.Set(p["sentencing_court_type"], courtType);
            file.Set(p["conditional_release_date"], crd);
            file.Set(p["release_date"], released ? release : null);
            file.Set(p["release_type"], released ? releaseType : "INC");
            file.Set(p["security_category"], security);
            file.Set(p["nationality"], nationality);
            file.Set(p["number_of_transfers"], transfers);
            file.Set(p["extract_date"], ExtractDate);
        }

        WritePersonRow(p, ExtractGenerator.Prisons, person, reception);
    }

    private void WriteProbationEvent(Person person, string eventId, string eventType, Sentence sentence, DateOnly start, DateOnly end, string reason, int requirements)
    {
        if (start > ExtractDate)
        {
            return;
        }

        var s = _s;

        // One CRN per offender, but duplicate offender records are created now and then.
        var crn = person.Crn;
        if (crn is null || s.Chance(0.04))
        {
            crn = "X" + (++_crn).ToString("D6", CultureInfo.InvariantCulture);
            person.Crn ??= crn;
        }

        var ongoing = end > ExtractDate;
        var tier = s.NextDouble() switch { < 0.3 => "A", < 0.6 => "B", < 0.85 => "C", _ => "D" };
        var rosh = sentence.Offence.Group is "01" or "02" or "03" ? (s.Chance(0.5) ? "M" : s.Chance(0.8) ? "H" : "V") : s.Chance(0.7) ? "L" : "M";
        var pb = _pb;
        if (pb.File is { } file)
        {
            file.Set(pb["crn"], crn);
            file.Set(pb["event_id"], eventId);
            file.Set(pb["probation_region"], person.Region.Code);
            file.Set(pb["event_type"], eventType);
            file.Set(pb["sentence_date"], sentence.Date);
            file.Set(pb["sentencing_court_code"], sentence.CourtCode);
            file.Set(pb["sentence_length_days"], sentence.Days);
            file.Set(pb["main_offence_code"], sentence.Offence.Code);
            file.Set(pb["offence_group"], sentence.Offence.Group);
            file.Set(pb["event_start_date"], start);
            file.Set(pb["termination_date"], ongoing ? null : end);
            file.Set(pb["termination_reason"], ongoing ? "ONG" : reason);
            file.Set(pb["number_of_requirements"], requirements);
            file.Set(pb["tier"], tier);
            file.Set(pb["rosh"], rosh);
            file.Set(pb["extract_date"], ExtractDate);
        }

        WritePersonRow(pb, ExtractGenerator.Probation, person, sentence.Date);
        _lastCrn = crn;
    }

    private void WriteRequirement(string eventId, DateOnly start, DateOnly end, string reason, int index)
    {
        var s = _s;
        var types = RequirementTypes;
        var type = types[(index + s.Next(types.Length)) % types.Length];
        var (length, unit) = type switch
        {
            "UPW" => (s.Between(4, 30) * 10, "H"),
            "RAR" => (s.Between(5, 40), "D"),
            "CUR" => (s.Between(1, 6), "M"),
            _ => (s.Between(6, 12), "M"),
        };
        var id = (++_requirement).ToString("D9", CultureInfo.InvariantCulture);
        var ongoing = end > ExtractDate;
        if (start > ExtractDate || _req.File is not { } file)
        {
            return;
        }

        var c = _req;
        file.Set(c["requirement_id"], id);
        file.Set(c["event_id"], eventId);
        file.Set(c["crn"], _lastCrn);
        file.Set(c["requirement_type"], type);
        file.Set(c["length"], length);
        file.Set(c["length_unit"], unit);
        file.Set(c["start_date"], start);
        file.Set(c["end_date"], ongoing ? null : end);
        file.Set(c["termination_reason"], ongoing ? "ONG" : reason);
        file.WriteRow(start);
    }

    private static readonly string[] RequirementTypes = ["UPW", "RAR", "CUR", "DRR", "ATR", "MHT", "PRG", "EXC", "AAM"];
    private static readonly string[] ConditionTypes = ["RES", "SUP", "NCV", "EXZ", "CUR", "DRT", "ELM", "WRK"];

    private void WriteLicenceCondition(string eventId, DateOnly start, DateOnly end, int index, bool breached)
    {
        var s = _s;
        var type = index < 2 ? ConditionTypes[index] : ConditionTypes[2 + s.Next(ConditionTypes.Length - 2)];
        var id = (++_condition).ToString("D9", CultureInfo.InvariantCulture);
        var breach = breached && s.Chance(0.4);
        if (start > ExtractDate || _lic.File is not { } file)
        {
            return;
        }

        var c = _lic;
        file.Set(c["condition_id"], id);
        file.Set(c["event_id"], eventId);
        file.Set(c["crn"], _lastCrn);
        file.Set(c["condition_type"], type);
        file.Set(c["start_date"], start);
        file.Set(c["end_date"], end > ExtractDate ? null : end);
        file.SetYesNo(c["breach_recorded"], breach);
        file.WriteRow(start);
    }

    private void WritePss(string eventId, DateOnly start, DateOnly end)
    {
        var s = _s;
        var id = (++_pssId).ToString("D9", CultureInfo.InvariantCulture);
        var requirement = s.NextDouble() switch { < 0.6 => "SUP", < 0.75 => "DRT", < 0.85 => "DAP", _ => "RES" };
        var outcome = end > ExtractDate ? "ONG" : s.Chance(0.8) ? "CMP" : "BRE";
        if (start > ExtractDate || _pss.File is not { } file)
        {
            return;
        }

        var c = _pss;
        file.Set(c["pss_id"], id);
        file.Set(c["event_id"], eventId);
        file.Set(c["crn"], _lastCrn);
        file.Set(c["pss_start_date"], start);
        file.Set(c["pss_end_date"], end);
        file.Set(c["pss_requirement"], requirement);
        file.Set(c["outcome"], outcome);
        file.WriteRow(start);
    }

    private void WritePsr(Person person, Sentence sentence, string? eventId)
    {
        var s = _s;
        var id = (++_psrId).ToString("D9", CultureInfo.InvariantCulture);
        var type = sentence.ByCrown ? (s.Chance(0.6) ? "SDR" : "FDW") : s.NextDouble() switch { < 0.5 => "FDO", < 0.85 => "FDW", _ => "SDR" };
        var requested = sentence.ConvictionDate;
        var completed = requested.AddDays(type switch { "FDO" => 0, "FDW" => s.Between(1, 5), _ => s.Between(10, 21) });
        var proposal = sentence.Disposal switch { "IC" => s.Chance(0.5) ? "CUS" : "SSO", "SS" => s.Chance(0.7) ? "SSO" : "CO", "CO" => s.Chance(0.85) ? "CO" : "SSO", _ => "NON" };
        var concordant = proposal switch { "CUS" => sentence.Disposal == "IC", "SSO" => sentence.Disposal == "SS", "CO" => sentence.Disposal == "CO", _ => false };
        if (requested > ExtractDate)
        {
            return;
        }

        // The report is written for an offender record: create the CRN if there is none yet.
        person.Crn ??= "X" + (++_crn).ToString("D6", CultureInfo.InvariantCulture);
        if (_psr.File is not { } file)
        {
            return;
        }

        var c = _psr;
        file.Set(c["psr_id"], id);
        file.Set(c["event_id"], eventId);
        file.Set(c["crn"], person.Crn);
        file.Set(c["court_code"], sentence.CourtCode);
        file.Set(c["report_type"], type);
        file.Set(c["requested_date"], requested);
        file.Set(c["completed_date"], completed);
        file.Set(c["proposal"], proposal);
        file.SetYesNo(c["sentence_concordant"], concordant);
        file.WriteRow(requested);
    }

    // ------------------------------------------------------------------ family court

    private void SimulateFamilyCase(Household h)
    {
        var s = _s;
        var oldest = h.Children.Min(c => c.DateOfBirth);
        var youngest = h.Children.Max(c => c.DateOfBirth);
        var from = youngest.AddDays(30) > WindowStart ? youngest.AddDays(30) : WindowStart;
        var to = oldest.AddYears(17) < WindowEnd ? oldest.AddYears(17) : WindowEnd;
        if (from > to)
        {
            return;
        }

        var issue = PopulationBuilder.DrawDate(s, from, to);
        var children = h.Children.Where(c => c.DateOfBirth < issue && c.AgeAt(issue) < 18).ToList();
        if (children.Count == 0)
        {
            return;
        }

        var publicLaw = s.Chance(0.3);
        var application = publicLaw ? (s.Chance(0.85) ? "C110A" : "EPO") : s.Chance(0.85) ? "C100" : "FL401";
        var caseId = "FM" + (++_familyCase).ToString("D7", CultureInfo.InvariantCulture);
        var withdrawn = s.Chance(0.1);
        var disposal = issue.AddDays(s.Between(40, publicLaw ? 400 : 300));
        var open = disposal > ExtractDate;
        var finalOrder = withdrawn ? "WDN" : application switch
        {
            "C100" => s.Chance(0.85) ? "CAO" : "NOO",
            "FL401" => s.Chance(0.8) ? "NMO" : "OCO",
            "EPO" => s.Chance(0.6) ? "SO" : "CO",
            _ => s.NextDouble() switch { < 0.55 => "CO", < 0.8 => "SO", < 0.92 => "PO", _ => "NOO" },
        };
        var hearings = s.Between(2, publicLaw ? 8 : 5);
        var mother = h.Adults.FirstOrDefault(a => a.Sex == 'F');
        var father = h.Adults.FirstOrDefault(a => a.Sex == 'M');

        // Private law between separated parents: the respondent has usually moved out.
        Person? applicant = null;
        Person? respondent = null;
        if (!publicLaw)
        {
            applicant = mother is not null && (father is null || s.Chance(0.7)) ? mother : father;
            respondent = ReferenceEquals(applicant, mother) ? father : mother;
            if (respondent is not null && s.Chance(0.8))
            {
                var movedOut = issue.AddDays(-s.Between(30, 400));
                if (respondent.Homes.All(home => home.From != movedOut))
                {
                    respondent.Homes.Add((movedOut, PopulationBuilder.DrawAddress(s, h.Region)));
                    respondent.Homes.Sort((a, b) => a.From.CompareTo(b.From));
                }
            }
        }

        var fc = _fc;
        if (fc.File is { } cases)
        {
            cases.Set(fc["case_id"], caseId);
            cases.Set(fc["court_code"], h.Region.FamilyCourt);
            cases.Set(fc["law_type"], publicLaw ? "PUB" : "PRI");
            cases.Set(fc["application_type"], application);
            cases.Set(fc["issue_date"], issue);
            cases.Set(fc["applicant_local_authority"], publicLaw ? h.Region.LocalAuthority : null);
            cases.Set(fc["number_of_children"], children.Count);
            cases.Set(fc["case_status"], open ? "OPN" : withdrawn ? "WDN" : "DSP");
            cases.Set(fc["disposal_date"], open ? null : disposal);
            cases.Set(fc["final_order"], open ? null : finalOrder);
            cases.Set(fc["number_of_hearings"], hearings);
            cases.WriteRow(issue);
        }

        if (issue <= ExtractDate)
        {
            if (publicLaw)
            {
                foreach (var parent in h.Adults)
                {
                    WriteParty(parent, caseId, issue, "RES", parent.Sex == 'F' ? "M" : "F", s.Chance(0.95) ? "S" : "LIP");
                }
            }
            else
            {
                if (applicant is not null)
                {
                    WriteParty(applicant, caseId, issue, "APP", applicant.Sex == 'F' ? "M" : "F", s.Chance(0.6) ? "S" : "LIP");
                }

                if (respondent is not null)
                {
                    WriteParty(respondent, caseId, issue, "RES", respondent.Sex == 'F' ? "M" : "F", s.Chance(0.5) ? "S" : "LIP");
                }
            }

            foreach (var child in children)
            {
                WriteParty(child, caseId, issue, "CHI", "CH", "G");
            }
        }

        // Events: issue, hearings, order or withdrawal.
        var date = issue;
        WriteFamilyEvent(caseId, date, "ISS", "NA");
        for (var i = 0; i < hearings; i++)
        {
            date = date.AddDays(s.Between(14, 60));
            var type = i == 0 ? (publicLaw ? "CMH" : "FHD") : i == hearings - 1 ? "FH" : s.Chance(0.5) ? "IRH" : "CMH";
            var outcome = s.NextDouble() switch { < 0.75 => "EFF", < 0.93 => "ADJ", _ => "VAC" };
            WriteFamilyEvent(caseId, date, type, outcome);
        }

        WriteFamilyEvent(caseId, date > disposal ? date : disposal, withdrawn ? "WDN" : "ORD", "NA");
    }

    private void WriteParty(Person person, string caseId, DateOnly issue, string role, string relationship, string representation)
    {
        var partyId = "PT" + (++_party).ToString("D8", CultureInfo.InvariantCulture);
        var fp = _fp;
        if (fp.File is { } file)
        {
            file.Set(fp["party_id"], partyId);
            file.Set(fp["case_id"], caseId);
            file.Set(fp["party_role"], role);
            file.Set(fp["relationship_to_child"], relationship);
            file.Set(fp["case_issue_date"], issue);
            file.Set(fp["representation"], representation);
        }

        WritePersonRow(fp, ExtractGenerator.FamilyPeople, person, issue);
    }

    private void WriteFamilyEvent(string caseId, DateOnly date, string type, string outcome)
    {
        var id = "FE" + (++_familyEvent).ToString("D8", CultureInfo.InvariantCulture);
        if (date > ExtractDate || _fe.File is not { } file)
        {
            return;
        }

        var fe = _fe;
        file.Set(fe["event_id"], id);
        file.Set(fe["case_id"], caseId);
        file.Set(fe["event_date"], date);
        file.Set(fe["event_type"], type);
        file.Set(fe["event_outcome"], outcome);
        file.WriteRow(date);
    }

    // ------------------------------------------------------------------ identities and truth

    /// <summary>
    /// Records the person's identity with the source's noise, writes the row (when the dataset is
    /// being written) and its ground truth. The noise draws happen either way, so leaving a dataset
    /// out does not change the others.
    /// </summary>
    private void WritePersonRow(Cols cols, string source, Person person, DateOnly eventDate)
    {
        var identity = IdentityNoise.Record(person, eventDate, _dobFormats[source], _noise[source], _n, _seed);
        if (cols.File is not { } file)
        {
            return;
        }

        file.Set(cols.Forenames, identity.Forenames);
        file.Set(cols.Surname, identity.Surname);
        file.Set(cols.DateOfBirth, identity.DateOfBirth);
        file.Set(cols.Sex, identity.Sex);
        file.Set(cols.Address, identity.Address);
        file.Set(cols.Postcode, identity.Postcode);
        file.Set(cols.Ethnicity, identity.Ethnicity);
        file.Set(cols.Age, person.AgeAt(eventDate));
        file.WriteRow(eventDate, new PersonRowTag(person.PersonKey, identity.Errors));
    }

    private sealed record PersonRowTag(string PersonKey, IdentityErrors Errors);

    /// <summary>Writes the ground truth of a person-level row once the file has given it its row id.</summary>
    private void RowWritten(string dataset, string rowId, object? tag)
    {
        if (tag is not PersonRowTag row)
        {
            return;
        }

        if (_persons is { } truth)
        {
            truth.Write(dataset);
            truth.Write(',');
            truth.Write(rowId);
            truth.Write(',');
            truth.Write(row.PersonKey);
            truth.Write('\n');
            _truthRows++;
        }

        if (row.Errors != IdentityErrors.None && _identityErrors is { } errors)
        {
            errors.Write(dataset);
            errors.Write(',');
            errors.Write(rowId);
            errors.Write(',');
            errors.Write(IdentityNoise.Describe(row.Errors));
            errors.Write('\n');
        }
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }

        foreach (var writer in _truth)
        {
            writer.Dispose();
        }
    }

    /// <summary>Column indices of one extract, looked up once; -1 where the profile lacks a column.</summary>
    private sealed class Cols
    {
        private readonly Dictionary<string, int> _indices = new(StringComparer.Ordinal);

        public Cols(ExtractFile? file)
        {
            File = file;
            if (file is null)
            {
                return;
            }

            Forenames = file.IdentifierIndex(IdentifierKinds.Forenames);
            Surname = file.IdentifierIndex(IdentifierKinds.Surname);
            DateOfBirth = file.IdentifierIndex(IdentifierKinds.DateOfBirth);
            Sex = file.IdentifierIndex(IdentifierKinds.Sex);
            Address = file.IdentifierIndex(IdentifierKinds.Address);
            Postcode = file.IdentifierIndex(IdentifierKinds.Postcode);
            var columns = file.Profile.Columns;
            Ethnicity = IndexWhere(columns, c => c.Role == ColumnRole.SpecialCategory && c.Name.EndsWith("ethnicity", StringComparison.Ordinal));
            Age = IndexWhere(columns, c => c.Role == ColumnRole.SpecialCategory && c.Name.StartsWith("age", StringComparison.Ordinal));
            for (var i = 0; i < columns.Count; i++)
            {
                _indices[columns[i].Name] = i;
            }
        }

        public ExtractFile? File { get; }

        public int Forenames { get; } = -1;

        public int Surname { get; } = -1;

        public int DateOfBirth { get; } = -1;

        public int Sex { get; } = -1;

        public int Address { get; } = -1;

        public int Postcode { get; } = -1;

        public int Ethnicity { get; } = -1;

        public int Age { get; } = -1;

        public int this[string column] => _indices.TryGetValue(column, out var index) ? index : -1;

        private static int IndexWhere(IReadOnlyList<ColumnProfile> columns, Func<ColumnProfile, bool> predicate)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (predicate(columns[i]))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}

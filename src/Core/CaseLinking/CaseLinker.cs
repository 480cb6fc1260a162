using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.CaseLinking;

/// <summary>Column names and rules of case linking. Defaults follow the generated extracts' column contract.</summary>
public sealed record CaseLinkingOptions
{
    public string MagistratesDataset { get; init; } = "magistrates";

    public string CrownCourtDataset { get; init; } = "crown_court";

    public string RowIdColumn { get; init; } = "row_id";

    public string CaseIdColumn { get; init; } = "case_id";

    public string MagistratesCourtColumn { get; init; } = "court_code";

    /// <summary>Sent for trial: flag and date (required columns).</summary>
    public string SentFlagColumn { get; init; } = "sent_to_crown_court";

    public string DateSentColumn { get; init; } = "date_sent_to_crown_court";

    /// <summary>Committed for sentence: flag and date (optional columns).</summary>
    public string CommittedFlagColumn { get; init; } = "committed_for_sentence";

    public string DateCommittedColumn { get; init; } = "date_committed_for_sentence";

    /// <summary>Appeal lodged: flag (optional column); its date is the first of <see cref="AppealDateColumns"/> present.</summary>
    public string AppealFlagColumn { get; init; } = "appeal_lodged";

    public IReadOnlyList<string> AppealDateColumns { get; init; } = ["sentence_date", "outcome_date", "hearing_date"];

    /// <summary>Used as the date when a sent/committed case has no date (optional column; null to disable).</summary>
    public string? FallbackDateColumn { get; init; } = "hearing_date";

    public string ReceiptTypeColumn { get; init; } = "receipt_type";

    public string ReceiptDateColumn { get; init; } = "receipt_date";

    public string CommittingCourtColumn { get; init; } = "committing_court_code";

    public string OffenceCodeColumn { get; init; } = "offence_code";

    /// <summary>Optional on either side; used when both datasets have it.</summary>
    public string OffenceGroupColumn { get; init; } = "offence_group";

    /// <summary>The columns of <paramref name="dataset"/>'s extract the linker cannot do without (it fails naming the first one
    /// missing; every other column it reads is optional); none for a dataset it does not read. Ingest checks them up front.</summary>
    public IReadOnlyList<string> RequiredColumns(string dataset) =>
        dataset == MagistratesDataset ? [RowIdColumn, CaseIdColumn, MagistratesCourtColumn, SentFlagColumn, DateSentColumn]
        : dataset == CrownCourtDataset ? [RowIdColumn, CaseIdColumn, ReceiptDateColumn, CommittingCourtColumn]
        : [];

    /// <summary>Receipt in the Crown Court at most this many days after the magistrates' date (sending, committal or sentence).</summary>
    public int WindowDays { get; init; } = 365;

    /// <summary>Values of the flags meaning "yes" (case-insensitive).</summary>
    public IReadOnlyList<string> YesValues { get; init; } = ["Y", "YES", "TRUE", "1"];

    /// <summary>Receipt types of trials (from cases sent), committals for sentence and appeals. Other or missing types accept any route.</summary>
    public IReadOnlyList<string> TrialReceiptTypes { get; init; } = ["T"];

    public IReadOnlyList<string> SentenceReceiptTypes { get; init; } = ["S"];

    public IReadOnlyList<string> AppealReceiptTypes { get; init; } = ["A"];

    /// <summary>Every magistrates' column case linking reads (it uses those the extract has).</summary>
    public IEnumerable<string> MagistratesColumns =>
        [RowIdColumn, CaseIdColumn, MagistratesCourtColumn, SentFlagColumn, DateSentColumn, CommittedFlagColumn, DateCommittedColumn, AppealFlagColumn, .. AppealDateColumns, OffenceCodeColumn, OffenceGroupColumn, .. FallbackDateColumn is { } f ? [f] : Array.Empty<string>()];

    /// <summary>Every Crown Court column case linking reads (it uses those the extract has).</summary>
    public IEnumerable<string> CrownCourtColumns =>
        [RowIdColumn, CaseIdColumn, ReceiptDateColumn, CommittingCourtColumn, ReceiptTypeColumn, OffenceCodeColumn, OffenceGroupColumn];

    /// <summary>The magistrates' flags of the routes to the Crown Court: a case with none of them set is never linked.</summary>
    public IEnumerable<string> RouteFlagColumns => [SentFlagColumn, CommittedFlagColumn, AppealFlagColumn];
}

/// <summary>A Crown Court case linked to a magistrates' case it most likely stems from (raw, internal ids).</summary>
public sealed record CaseLink(
    string PersonId,
    string CrownCaseId,
    string MagistratesCaseId,
    int DaysToReceipt,
    bool CourtMatch,
    bool OffenceMatch,
    string Rule);

public sealed record CaseLinkResult(
    IReadOnlyList<CaseLink> Links,
    int CrownCases,
    int CrownCasesLinked,
    int CrownCasesWithoutPerson,
    int MagistratesCasesToCrownCourt,
    int MagistratesCasesLinked);

/// <summary>
/// Links each Crown Court case to the magistrates' case(s) it most likely stems from, from the data
/// alone, inside the person link. Rules (docs/shares.md):
/// 1. Routes: a magistrates' case sent for trial (flag + date sent) feeds a trial receipt; committed
///    for sentence (flag + date) feeds a committal receipt; an appeal lodged (flag + sentence date)
///    feeds an appeal receipt. A receipt of another or unknown type accepts any route.
/// 2. Candidates for a magistrates' case: Crown cases of the same estimated person, of a matching
///    route, received on or after the route's date and at most <see cref="CaseLinkingOptions.WindowDays"/> later.
/// 3. The case goes to the candidate(s) received first (a case sent is received at the person's next
///    Crown receipt); ties on that date — a Crown case split in two — are all linked.
/// 4. Among those, Crown cases whose committing court is the magistrates' court are preferred;
///    when none matches, all are kept (cases joined into one indictment may come from other courts).
/// So one Crown case may stem from several magistrates' cases (cases sent days or weeks apart and
/// joined), and a magistrates' case may feed several Crown cases (a split). Memory: the triggered
/// magistrates' cases and the Crown cases, by person.
/// </summary>
public static class CaseLinker
{
    private enum Route
    {
        Trial,
        Sentence,
        Appeal,
        Any,
    }

    public static async Task<CaseLinkResult> LinkAsync(
        TextReader magistrates,
        TextReader crownCourt,
        IPersonIdLookup personIds,
        CaseLinkingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new CaseLinkingOptions();
        var yes = new HashSet<string>(options.YesValues, StringComparer.OrdinalIgnoreCase);
        var codes = new CodeValues();

        // Crown side first: cases by person.
        var crownCases = new Dictionary<(string Person, string Case), CrownCase>();
        var crownCaseIds = new HashSet<string>(StringComparer.Ordinal);
        var crownWithPerson = new HashSet<string>(StringComparer.Ordinal);
        var crown = new CsvReader(crownCourt, $"extract of '{options.CrownCourtDataset}'");
        var ch = await crown.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        int cRow = ch.Require(options.RowIdColumn, "row id"), cCase = ch.Require(options.CaseIdColumn, "case id"),
            cDate = ch.Require(options.ReceiptDateColumn, "receipt date"), cCourt = ch.Require(options.CommittingCourtColumn, "committing court");
        int? cType = ch.IndexOf(options.ReceiptTypeColumn), cOffence = ch.IndexOf(options.OffenceCodeColumn), cGroup = ch.IndexOf(options.OffenceGroupColumn);
        crown.KeepOnly(new int?[] { cRow, cCase, cDate, cCourt, cType, cOffence, cGroup }.OfType<int>());
        while (await crown.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (row.Length != ch.Names.Count)
            {
                continue;
            }

            var caseId = row[cCase].Trim();
            if (caseId.Length == 0)
            {
                continue;
            }

            crownCaseIds.Add(caseId);
            if (!personIds.TryGetPersonId(new RecordKey(options.CrownCourtDataset, row[cRow].Trim()), out var person))
            {
                continue;
            }

            crownWithPerson.Add(caseId);
            if (!crownCases.TryGetValue((person, caseId), out var cc))
            {
                crownCases[(person, caseId)] = cc = new CrownCase(caseId, cType is { } t ? RouteOf(row[t], options) : Route.Any);
            }

            if (ShareValues.TryParseDate(row[cDate], out var receipt) && (cc.Receipt is null || receipt < cc.Receipt))
            {
                cc.Receipt = receipt;
            }

            cc.Courts.Add(codes.Of(row[cCourt]));
            cc.Offences.Add(codes.Of(cOffence is { } o ? row[o] : string.Empty));
            cc.Groups.Add(codes.Of(cGroup is { } g ? row[g] : string.Empty));
        }

        var crownByPerson = crownCases.Where(kv => kv.Value.Receipt is not null)
            .GroupBy(kv => kv.Key.Person)
            .ToDictionary(g => g.Key, g => g.Select(kv => kv.Value).OrderBy(c => c.Receipt).ThenBy(c => c.CaseId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        // Magistrates' side: cases that went to the Crown Court by some route.
        var magCases = new Dictionary<(string Person, string Case), MagCase>();
        var mag = new CsvReader(magistrates, $"extract of '{options.MagistratesDataset}'");
        var mh = await mag.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        int mRow = mh.Require(options.RowIdColumn, "row id"), mCase = mh.Require(options.CaseIdColumn, "case id"),
            mCourt = mh.Require(options.MagistratesCourtColumn, "magistrates' court"), mSent = mh.Require(options.SentFlagColumn, "sent to Crown Court flag"),
            mDate = mh.Require(options.DateSentColumn, "date sent to Crown Court");
        int? mCommitted = mh.IndexOf(options.CommittedFlagColumn), mCommittedDate = mh.IndexOf(options.DateCommittedColumn), mAppeal = mh.IndexOf(options.AppealFlagColumn);
        var mAppealDates = options.AppealDateColumns.Select(mh.IndexOf).OfType<int>().ToArray();
        int? mOffence = mh.IndexOf(options.OffenceCodeColumn), mGroup = mh.IndexOf(options.OffenceGroupColumn);
        int? mFallback = options.FallbackDateColumn is { } fb ? mh.IndexOf(fb) : null;
        mag.KeepOnly(new int?[] { mRow, mCase, mCourt, mSent, mDate, mCommitted, mCommittedDate, mAppeal, mOffence, mGroup, mFallback }.OfType<int>().Concat(mAppealDates));
        while (await mag.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (row.Length != mh.Names.Count)
            {
                continue;
            }

            var triggers = new List<(Route Route, DateOnly Date)>(1);
            if (yes.Contains(row[mSent].Trim()) && DateOf(row, mDate, mFallback) is { } sent)
            {
                triggers.Add((Route.Trial, sent));
            }

            if (mCommitted is { } mc && yes.Contains(row[mc].Trim()) && DateOf(row, mCommittedDate, mFallback) is { } committed)
            {
                triggers.Add((Route.Sentence, committed));
            }

            if (mAppeal is { } ma && yes.Contains(row[ma].Trim()))
            {
                foreach (var i in mAppealDates)
                {
                    if (ShareValues.TryParseDate(row[i], out var appealFrom))
                    {
                        triggers.Add((Route.Appeal, appealFrom));
                        break;
                    }
                }
            }

            if (triggers.Count == 0 || !personIds.TryGetPersonId(new RecordKey(options.MagistratesDataset, row[mRow].Trim()), out var person))
            {
                continue;
            }

            var caseId = row[mCase].Trim();
            if (caseId.Length == 0)
            {
                continue;
            }

            if (!magCases.TryGetValue((person, caseId), out var m))
            {
                magCases[(person, caseId)] = m = new MagCase(caseId);
            }

            m.Triggers.AddRange(triggers);
            m.Courts.Add(codes.Of(row[mCourt]));
            m.Offences.Add(codes.Of(mOffence is { } o ? row[o] : string.Empty));
            m.Groups.Add(codes.Of(mGroup is { } g ? row[g] : string.Empty));
        }

        var links = new List<CaseLink>();
        foreach (var ((person, _), m) in magCases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!crownByPerson.TryGetValue(person, out var personCrown))
            {
                continue;
            }

            var candidates = new List<(CrownCase Case, Route Route, int Gap)>();
            foreach (var cc in personCrown)
            {
                var best = int.MaxValue;
                var route = Route.Any;
                foreach (var (r, date) in m.Triggers)
                {
                    if (cc.Route != Route.Any && cc.Route != r)
                    {
                        continue;
                    }

                    var gap = cc.Receipt!.Value.DayNumber - date.DayNumber;
                    if (gap >= 0 && gap <= options.WindowDays && gap < best)
                    {
                        best = gap;
                        route = r;
                    }
                }

                if (best != int.MaxValue)
                {
                    candidates.Add((cc, route, best));
                }
            }

            if (candidates.Count == 0)
            {
                continue;
            }

            var first = candidates.Min(c => c.Case.Receipt!.Value);
            var earliest = candidates.Where(c => c.Case.Receipt == first).ToList();
            var courtMatched = earliest.Where(c => c.Case.Courts.Overlaps(in m.Courts)).ToList();
            foreach (var c in courtMatched.Count > 0 ? courtMatched : earliest)
            {
                var court = c.Case.Courts.Overlaps(in m.Courts);
                var offence = c.Case.Offences.Overlaps(in m.Offences) || c.Case.Groups.Overlaps(in m.Groups);
                var rule = (c.Route switch { Route.Trial => "sent", Route.Sentence => "committed", _ => "appeal" }) + (court ? "+court" : "+other-court") + (offence ? "+offence" : string.Empty);
                links.Add(new CaseLink(person, c.Case.CaseId, m.CaseId, c.Gap, court, offence, rule));
            }
        }

        links.Sort((a, b) =>
        {
            var x = string.CompareOrdinal(a.CrownCaseId, b.CrownCaseId);
            x = x != 0 ? x : string.CompareOrdinal(a.MagistratesCaseId, b.MagistratesCaseId);
            return x != 0 ? x : string.CompareOrdinal(a.PersonId, b.PersonId);
        });
        return new CaseLinkResult(
            links,
            CrownCases: crownCaseIds.Count,
            CrownCasesLinked: links.Select(l => l.CrownCaseId).Distinct(StringComparer.Ordinal).Count(),
            CrownCasesWithoutPerson: crownCaseIds.Count - crownWithPerson.Count,
            MagistratesCasesToCrownCourt: magCases.Keys.Select(k => k.Case).Distinct(StringComparer.Ordinal).Count(),
            MagistratesCasesLinked: links.Select(l => l.MagistratesCaseId).Distinct(StringComparer.Ordinal).Count());
    }

    private static Route RouteOf(string receiptType, CaseLinkingOptions options)
    {
        var t = receiptType.Trim();
        return options.TrialReceiptTypes.Contains(t, StringComparer.OrdinalIgnoreCase) ? Route.Trial
            : options.SentenceReceiptTypes.Contains(t, StringComparer.OrdinalIgnoreCase) ? Route.Sentence
            : options.AppealReceiptTypes.Contains(t, StringComparer.OrdinalIgnoreCase) ? Route.Appeal
            : Route.Any;
    }

    private static DateOnly? DateOf(string[] row, int? index, int? fallback)
    {
        if (index is { } i && ShareValues.TryParseDate(row[i], out var d))
        {
            return d;
        }

        return fallback is { } f && ShareValues.TryParseDate(row[f], out var e) ? e : null;
    }

    /// <summary>Court, offence and group codes, trimmed and upper-cased, one string per distinct code (there are few)
    /// rather than one per row; null for a blank.</summary>
    private sealed class CodeValues
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public string? Of(string value)
        {
            var v = value.Trim();
            if (v.Length == 0)
            {
                return null;
            }

            v = v.ToUpperInvariant();
            return _values.TryGetValue(v, out var kept) ? kept : _values[v] = v;
        }
    }

    /// <summary>A case's distinct codes of one kind: usually one, so held inline rather than as a set per case (a
    /// national run has hundreds of thousands of cases).</summary>
    private struct Codes
    {
        private string? _first;
        private string[]? _more;
        private int _moreCount;

        public void Add(string? value)
        {
            if (value is null || Contains(value))
            {
                return;
            }

            if (_first is null)
            {
                _first = value;
                return;
            }

            _more ??= new string[2];
            if (_moreCount == _more.Length)
            {
                Array.Resize(ref _more, _moreCount * 2);
            }

            _more[_moreCount++] = value;
        }

        public readonly bool Overlaps(in Codes other)
        {
            if (_first is null)
            {
                return false;
            }

            if (other.Contains(_first))
            {
                return true;
            }

            for (var i = 0; i < _moreCount; i++)
            {
                if (other.Contains(_more![i]))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool Contains(string value)
        {
            if (string.Equals(_first, value, StringComparison.Ordinal))
            {
                return true;
            }

            for (var i = 0; i < _moreCount; i++)
            {
                if (string.Equals(_more![i], value, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class MagCase(string caseId)
    {
        public string CaseId { get; } = caseId;

        public List<(Route Route, DateOnly Date)> Triggers { get; } = [];

        public Codes Courts;

        public Codes Offences;

        public Codes Groups;
    }

    private sealed class CrownCase(string caseId, Route route)
    {
        public string CaseId { get; } = caseId;

        public Route Route { get; } = route;

        public DateOnly? Receipt { get; set; }

        public Codes Courts;

        public Codes Offences;

        public Codes Groups;
    }
}

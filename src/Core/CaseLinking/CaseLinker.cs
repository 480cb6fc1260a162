using DataFirst.Core.Deidentification;

namespace DataFirst.Core.CaseLinking;

/// <summary>Column names and rules of case linking. Defaults follow the generated extracts' column contract.</summary>
public sealed record CaseLinkingOptions
{
    public string MagistratesDataset { get; init; } = "magistrates";

    public string CrownCourtDataset { get; init; } = "crown_court";

    public string RowIdColumn { get; init; } = "row_id";

    public string CaseIdColumn { get; init; } = "case_id";

    public string MagistratesCourtColumn { get; init; } = "court_code";

    public string SentFlagColumn { get; init; } = "sent_to_crown_court";

    public string DateSentColumn { get; init; } = "date_sent_to_crown_court";

    /// <summary>Used as the sending date when a sent case has no date sent (optional column; null to disable).</summary>
    public string? FallbackSentDateColumn { get; init; } = "hearing_date";

    public string ReceiptDateColumn { get; init; } = "receipt_date";

    public string CommittingCourtColumn { get; init; } = "committing_court_code";

    public string OffenceCodeColumn { get; init; } = "offence_code";

    /// <summary>Optional on either side; used when both datasets have it.</summary>
    public string OffenceGroupColumn { get; init; } = "offence_group";

    /// <summary>Receipt in the Crown Court at most this many days after the magistrates' sending date.</summary>
    public int WindowDays { get; init; } = 90;

    /// <summary>Values of the sent flag meaning "sent to the Crown Court" (case-insensitive).</summary>
    public IReadOnlyList<string> SentValues { get; init; } = ["Y", "YES", "TRUE", "1"];
}

/// <summary>A Crown Court case linked to a magistrates' case it most likely stems from (raw, internal ids).</summary>
public sealed record CaseLink(
    string PersonId,
    string CrownCaseId,
    string MagistratesCaseId,
    int DaysSentToReceipt,
    bool CourtMatch,
    bool OffenceMatch,
    string Rule);

public sealed record CaseLinkResult(
    IReadOnlyList<CaseLink> Links,
    int CrownCases,
    int CrownCasesLinked,
    int CrownCasesWithoutPerson,
    int MagistratesCasesSent,
    int MagistratesCasesLinked);

/// <summary>
/// Links each Crown Court case to the magistrates' case(s) it most likely stems from, from the data
/// alone, inside the person link. Rules (docs/shares.md):
/// 1. Candidates: magistrates' cases of the same estimated person, flagged sent to the Crown Court,
///    with date sent ≤ receipt date ≤ date sent + <see cref="CaseLinkingOptions.WindowDays"/>
///    (a missing date sent falls back to the hearing date).
/// 2. Court: candidates whose magistrates' court equals the Crown case's committing court are
///    preferred; if there is none, a candidate from another court is kept only if an offence agrees.
/// 3. Best candidate: offence agreement (same offence code, else same offence group) first, then the
///    shortest time from sending to receipt.
/// 4. Joined cases: every other remaining candidate sent on the same day with the same court
///    agreement as the best is linked too (one Crown case ← many magistrates' cases).
/// A magistrates' case may feed several Crown cases (one-to-many the other way) since each Crown
/// case chooses independently. Memory: the sent magistrates' cases and the Crown cases, by person.
/// </summary>
public static class CaseLinker
{
    public static async Task<CaseLinkResult> LinkAsync(
        TextReader magistrates,
        TextReader crownCourt,
        IPersonIdLookup personIds,
        CaseLinkingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new CaseLinkingOptions();
        var sentValues = new HashSet<string>(options.SentValues, StringComparer.OrdinalIgnoreCase);

        // Magistrates' side: sent cases by person.
        var magCases = new Dictionary<(string Person, string Case), MagCase>();
        var mag = new ShareCsvReader(magistrates, $"extract of '{options.MagistratesDataset}'");
        var mh = await mag.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        int mRow = mh.Require(options.RowIdColumn, "row id"), mCase = mh.Require(options.CaseIdColumn, "case id"),
            mCourt = mh.Require(options.MagistratesCourtColumn, "magistrates' court"), mSent = mh.Require(options.SentFlagColumn, "sent to Crown Court flag"),
            mDate = mh.Require(options.DateSentColumn, "date sent to Crown Court");
        int? mOffence = mh.IndexOf(options.OffenceCodeColumn), mGroup = mh.IndexOf(options.OffenceGroupColumn);
        int? mFallback = options.FallbackSentDateColumn is { } fb ? mh.IndexOf(fb) : null;
        while (await mag.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (row.Length != mh.Names.Count || !sentValues.Contains(row[mSent].Trim()))
            {
                continue;
            }

            if (!ShareValues.TryParseDate(row[mDate], out var sent) && !(mFallback is { } f && ShareValues.TryParseDate(row[f], out sent)))
            {
                continue;
            }

            if (!personIds.TryGetPersonId(new RecordKey(options.MagistratesDataset, row[mRow].Trim()), out var person))
            {
                continue;
            }

            var key = (person, row[mCase].Trim());
            if (key.Item2.Length == 0)
            {
                continue;
            }

            if (!magCases.TryGetValue(key, out var mc))
            {
                magCases[key] = mc = new MagCase(key.Item2);
            }

            mc.DatesSent.Add(sent);
            AddIfPresent(mc.Courts, row[mCourt]);
            if (mOffence is { } o)
            {
                AddIfPresent(mc.Offences, row[o]);
            }

            if (mGroup is { } g)
            {
                AddIfPresent(mc.Groups, row[g]);
            }
        }

        var byPerson = magCases.GroupBy(kv => kv.Key.Person).ToDictionary(g => g.Key, g => g.Select(kv => kv.Value).ToList(), StringComparer.Ordinal);

        // Crown side: cases by person.
        var crownCases = new Dictionary<(string Person, string Case), CrownCase>();
        var crownCaseIds = new HashSet<string>(StringComparer.Ordinal);
        var crownWithPerson = new HashSet<string>(StringComparer.Ordinal);
        var crown = new ShareCsvReader(crownCourt, $"extract of '{options.CrownCourtDataset}'");
        var ch = await crown.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        int cRow = ch.Require(options.RowIdColumn, "row id"), cCase = ch.Require(options.CaseIdColumn, "case id"),
            cDate = ch.Require(options.ReceiptDateColumn, "receipt date"), cCourt = ch.Require(options.CommittingCourtColumn, "committing court");
        int? cOffence = ch.IndexOf(options.OffenceCodeColumn), cGroup = ch.IndexOf(options.OffenceGroupColumn);
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
            var key = (person, caseId);
            if (!crownCases.TryGetValue(key, out var cc))
            {
                crownCases[key] = cc = new CrownCase(caseId);
            }

            if (ShareValues.TryParseDate(row[cDate], out var receipt) && (cc.Receipt is null || receipt < cc.Receipt))
            {
                cc.Receipt = receipt;
            }

            AddIfPresent(cc.Courts, row[cCourt]);
            if (cOffence is { } o)
            {
                AddIfPresent(cc.Offences, row[o]);
            }

            if (cGroup is { } g)
            {
                AddIfPresent(cc.Groups, row[g]);
            }
        }

        var links = new List<CaseLink>();
        var linkedCrown = new HashSet<string>(StringComparer.Ordinal);
        var linkedMag = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ((person, _), cc) in crownCases.OrderBy(kv => kv.Key.Case, StringComparer.Ordinal).ThenBy(kv => kv.Key.Person, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cc.Receipt is not { } receipt || !byPerson.TryGetValue(person, out var personCases))
            {
                continue;
            }

            var candidates = new List<Candidate>();
            foreach (var mc in personCases)
            {
                var gap = int.MaxValue;
                foreach (var sent in mc.DatesSent)
                {
                    var days = receipt.DayNumber - sent.DayNumber;
                    if (days >= 0 && days <= options.WindowDays && days < gap)
                    {
                        gap = days;
                    }
                }

                if (gap == int.MaxValue)
                {
                    continue;
                }

                var court = cc.Courts.Count > 0 && mc.Courts.Overlaps(cc.Courts);
                var offence = mc.Offences.Overlaps(cc.Offences) ? 2 : mc.Groups.Overlaps(cc.Groups) ? 1 : 0;
                candidates.Add(new Candidate(mc, gap, court, offence));
            }

            var courtMatched = candidates.Where(c => c.Court).ToList();
            var pool = courtMatched.Count > 0 ? courtMatched : candidates.Where(c => c.Offence > 0).ToList();
            if (pool.Count == 0)
            {
                continue;
            }

            var best = pool.OrderByDescending(c => c.Offence).ThenBy(c => c.Gap).ThenBy(c => c.Case.CaseId, StringComparer.Ordinal).First();
            foreach (var c in pool.Where(c => c == best || c.Gap == best.Gap).OrderBy(c => c.Case.CaseId, StringComparer.Ordinal))
            {
                var rule = (c.Court ? "court" : "offence-without-court") + (c.Offence == 2 ? "+offence" : c.Offence == 1 ? "+offence-group" : string.Empty) + (c == best ? string.Empty : "+joined");
                links.Add(new CaseLink(person, cc.CaseId, c.Case.CaseId, c.Gap, c.Court, c.Offence > 0, rule));
                linkedCrown.Add(cc.CaseId);
                linkedMag.Add(c.Case.CaseId);
            }
        }

        return new CaseLinkResult(
            links,
            CrownCases: crownCaseIds.Count,
            CrownCasesLinked: linkedCrown.Count,
            CrownCasesWithoutPerson: crownCaseIds.Count - crownWithPerson.Count,
            MagistratesCasesSent: magCases.Keys.Select(k => k.Case).Distinct(StringComparer.Ordinal).Count(),
            MagistratesCasesLinked: linkedMag.Count);
    }

    private static void AddIfPresent(HashSet<string> set, string value)
    {
        var v = value.Trim();
        if (v.Length > 0)
        {
            set.Add(v.ToUpperInvariant());
        }
    }

    private sealed class MagCase(string caseId)
    {
        public string CaseId { get; } = caseId;

        public List<DateOnly> DatesSent { get; } = [];

        public HashSet<string> Courts { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Offences { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed class CrownCase(string caseId)
    {
        public string CaseId { get; } = caseId;

        public DateOnly? Receipt { get; set; }

        public HashSet<string> Courts { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Offences { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Candidate(MagCase Case, int Gap, bool Court, int Offence);
}

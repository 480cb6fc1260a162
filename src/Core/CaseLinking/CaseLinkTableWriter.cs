using System.Globalization;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.CaseLinking;

/// <summary>
/// Writes case_links.csv: <c>person_id, crown_case_id, magistrates_case_id, days_to_receipt,
/// court_match, offence_match, rule</c>. Case ids are the same pseudonyms as in the crown_court and
/// magistrates share files (their case id columns' domains), person ids as in every share file.
/// </summary>
public static class CaseLinkTableWriter
{
    public static readonly IReadOnlyList<string> Columns =
        [ShareRules.PersonIdColumn, "crown_case_id", "magistrates_case_id", "days_to_receipt", "court_match", "offence_match", "rule"];

    public static async Task<long> WriteAsync(
        IEnumerable<CaseLink> links,
        ShareSpec spec,
        DatasetProfile magistrates,
        DatasetProfile crownCourt,
        Pseudonymiser pseudonymiser,
        TextWriter output,
        CaseLinkingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new CaseLinkingOptions();
        var magDomain = spec.IdDomainFor(magistrates, options.CaseIdColumn);
        var crownDomain = spec.IdDomainFor(crownCourt, options.CaseIdColumn);
        var writer = new ShareCsvWriter(output);
        await writer.WriteRowAsync(Columns, cancellationToken).ConfigureAwait(false);
        foreach (var link in links)
        {
            await writer.WriteRowAsync(
                [
                    pseudonymiser.PersonId(link.PersonId),
                    pseudonymiser.Pseudonymise(crownDomain, link.CrownCaseId),
                    pseudonymiser.Pseudonymise(magDomain, link.MagistratesCaseId),
                    link.DaysToReceipt.ToString(CultureInfo.InvariantCulture),
                    link.CourtMatch ? "Y" : "N",
                    link.OffenceMatch ? "Y" : "N",
                    ShareCsvWriter.Neutralise(link.Rule),
                ],
                cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return writer.RowsWritten - 1;
    }
}

/// <summary>Precision and recall of case links against true (crown_case_id, magistrates_case_id) pairs.</summary>
public sealed record CaseLinkEvaluation(int Predicted, int True, int TruePositives, double Precision, double Recall)
{
    public static CaseLinkEvaluation Evaluate(IEnumerable<CaseLink> links, IEnumerable<(string CrownCaseId, string MagistratesCaseId)> truth)
    {
        var predicted = links.Select(l => (l.CrownCaseId, l.MagistratesCaseId)).ToHashSet();
        var actual = truth.ToHashSet();
        var tp = predicted.Count(actual.Contains);
        return new CaseLinkEvaluation(
            predicted.Count,
            actual.Count,
            tp,
            predicted.Count == 0 ? 0 : (double)tp / predicted.Count,
            actual.Count == 0 ? 0 : (double)tp / actual.Count);
    }

    /// <summary>Reads truth/case_links.csv (crown_case_id, magistrates_case_id).</summary>
    public static async Task<IReadOnlyList<(string CrownCaseId, string MagistratesCaseId)>> ReadTruthAsync(TextReader truth, CancellationToken cancellationToken = default)
    {
        var csv = new CsvReader(truth, "truth/case_links.csv");
        var header = await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        int c = header.Require("crown_case_id", "true Crown case"), m = header.Require("magistrates_case_id", "true magistrates' case");
        var list = new List<(string, string)>();
        while (await csv.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            list.Add((row[c].Trim(), row[m].Trim()));
        }

        return list;
    }
}

using System.Globalization;

namespace DataFirst.Core.Deidentification;

/// <summary>The warnings a run's person id report calls for (counts only, never a value).</summary>
public static class PersonIdWarnings
{
    /// <summary>Below this share of the previous run's people keeping their id, a refresh warns.</summary>
    public const double CollapsedShare = 0.5;

    /// <summary>A previous run with fewer people than this is too small for the share to mean much.</summary>
    public const int ManyPreviousPersons = 100;

    /// <summary>From this share of the run's records holding another record than the previous run under their row id, a refresh warns.</summary>
    public const double ChangedShare = 0.05;

    public static IReadOnlyList<string> For(PersonIdReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ci = CultureInfo.InvariantCulture;
        var warnings = new List<string>();
        if (report.PreviousPersons == 0)
        {
            return warnings;
        }

        var collapsed = report.PreviousPersons >= ManyPreviousPersons
            && (report.Kept < CollapsedShare * report.PreviousPersons || report.KeptShare < CollapsedShare);
        var changed = report.RecordsChanged > 0 && report.RecordsChanged >= ChangedShare * report.Records;
        if (collapsed || changed)
        {
            var records = report.RecordsChanged > 0
                ? string.Create(ci, $"; {report.RecordsChanged:N0} of the {report.Records:N0} records have a row id the previous run had but hold another record (different identifying details)")
                : string.Empty;
            warnings.Add(string.Create(ci,
                $"person ids: {report.Kept:N0} of the previous run's {report.PreviousPersons:N0} people kept their id ({report.KeptShare:P1} of those still present){records}. ") +
                "Row ids may have been renumbered in a re-exported extract: person ids were restarted for the records that changed, so projects cannot follow those people from the previous version. If the extracts were not re-exported, check them before publishing.");
        }

        if (report.RecordsUnchecked > 0)
        {
            warnings.Add(string.Create(ci,
                $"person ids: {report.RecordsUnchecked:N0} records kept the previous run's person id by row id alone, unchecked: the previous run's mapping has no record checks (saved before they were kept, or with another pseudonymisation key or other linkage columns). ") +
                "If row ids were renumbered since, some of those ids now belong to other people. This run saves checks, so the next refresh checks every record.");
        }

        return warnings;
    }
}

using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Writes linking.csv: <c>person_id, dataset, row_id</c> for every record of every person-level
/// dataset in the share, so researchers can join datasets on the estimated person. Row ids are the
/// same pseudonyms as in the datasets' share files. Datasets outside the share spec are left out
/// (data minimisation: a project does not learn that a person has records it is not approved for).
/// </summary>
public static class LinkingDatasetWriter
{
    public static readonly IReadOnlyList<string> Columns = [ShareRules.PersonIdColumn, "dataset", "row_id"];

    /// <param name="mapping">Record → internal person id (the run's <see cref="PersonIdAssignment.Mapping"/>), in the order to write.</param>
    public static Task<long> WriteAsync(
        IEnumerable<KeyValuePair<RecordKey, string>> mapping,
        ShareSpec spec,
        IReadOnlyList<DatasetProfile> profiles,
        Pseudonymiser pseudonymiser,
        TextWriter output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        return WriteAsync(mapping.ToAsyncEnumerable(), spec, profiles, pseudonymiser, output, cancellationToken);
    }

    /// <param name="mapping">Streamed, e.g. from <see cref="PersonIdMappingStore.ReadRunAsync"/>.</param>
    public static async Task<long> WriteAsync(
        IAsyncEnumerable<KeyValuePair<RecordKey, string>> mapping,
        ShareSpec spec,
        IReadOnlyList<DatasetProfile> profiles,
        Pseudonymiser pseudonymiser,
        TextWriter output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var domains = new Dictionary<string, (string Name, string Domain)>(StringComparer.OrdinalIgnoreCase);
        foreach (var ds in spec.Datasets)
        {
            var profile = profiles.FirstOrDefault(p => string.Equals(p.Name, ds.Dataset, StringComparison.OrdinalIgnoreCase));
            if (profile is not null && ShareRules.IsPersonLevel(profile))
            {
                domains[profile.Name] = (profile.Name, spec.IdDomainFor(profile, profile.UniqueIdColumn));
            }
        }

        var writer = new ShareCsvWriter(output);
        await writer.WriteRowAsync(Columns, cancellationToken).ConfigureAwait(false);
        var cells = new string[3];
        await foreach (var (record, person) in mapping.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!domains.TryGetValue(record.Dataset, out var d))
            {
                continue;
            }

            cells[0] = pseudonymiser.PersonId(person);
            cells[1] = ShareCsvWriter.Neutralise(d.Name);
            cells[2] = pseudonymiser.Pseudonymise(d.Domain, record.RowId);
            await writer.WriteRowAsync(cells, cancellationToken).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return writer.RowsWritten - 1;
    }
}

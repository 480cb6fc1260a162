using System.Text;
using System.Text.Json;
using DataFirst.Core.Ingest;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Keeps the record → person id mapping in an internal container (default <c>linkage</c>; never
/// srs-transfer, never in a share, because it holds system row ids):
/// <c>person-ids/{scope}/runs/{runId}/{dataset}.csv</c> (dataset,row_id,person_id[,record_check] sorted by row id; one
/// blob per dataset, so an activity that needs one dataset's ids reads only those; record_check is the record's
/// <see cref="RecordChecks"/> value, in runs saved since 2026-11-22),
/// <c>person-ids/{scope}/runs/{runId}.checks.json</c> (the <see cref="RecordCheckScheme"/> of those checks),
/// <c>person-ids/{scope}/runs/{runId}.report.json</c> (written last: the run is saved), and
/// <c>person-ids/{scope}/latest</c> (the id of the latest completed run, replaced with an ETag check so two runs
/// cannot race). Runs saved before 2026-11-22 kept one <c>runs/{runId}.csv</c> for all datasets; it is still read.
/// Saving a run that is already saved returns the stored result: activity retries are idempotent.
/// </summary>
public sealed class PersonIdMappingStore(IBlobStore store, string container = PersonIdMappingStore.DefaultContainer)
{
    public const string DefaultContainer = "linkage";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static string Prefix(string scope) => $"person-ids/{Segment(scope, "scope")}/";

    private static string Segment(string value, string what) =>
        !string.IsNullOrEmpty(value) && value.Length <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && value[0] != '.'
            ? value
            : throw new DeidentificationException($"The person id mapping {what} must be 1-128 characters of letters, digits, '-', '_' or '.', not starting with '.'; check the run input.");

    /// <summary>The folder of one run's saved mapping (a blob per dataset), in the store's container.</summary>
    public static string RunFolder(string scope, string runId) => $"{Prefix(scope)}runs/{Segment(runId, "run id")}/";

    /// <summary>One dataset's saved mapping within <see cref="RunFolder"/>.</summary>
    public static string DatasetBlob(string scope, string runId, string dataset) => $"{RunFolder(scope, runId)}{Segment(dataset, "dataset name")}.csv";

    /// <summary>The one-file mapping of runs saved before the mapping was kept per dataset.</summary>
    private static string LegacyRunBlob(string scope, string runId) => $"{Prefix(scope)}runs/{Segment(runId, "run id")}.csv";

    private static string ReportBlob(string scope, string runId) => $"{Prefix(scope)}runs/{Segment(runId, "run id")}.report.json";

    private static string ChecksBlob(string scope, string runId) => $"{Prefix(scope)}runs/{Segment(runId, "run id")}.checks.json";

    private const string CheckColumn = "record_check";

    private static string LatestBlob(string scope) => $"{Prefix(scope)}latest";

    /// <summary>The latest saved run's id and mapping, or (null, empty) before the first run.</summary>
    public async Task<(string? RunId, Dictionary<RecordKey, string> Mapping)> LoadLatestAsync(string scope, CancellationToken cancellationToken = default)
    {
        var (_, runId) = await LatestAsync(scope, cancellationToken).ConfigureAwait(false);
        return runId is null ? (null, new Dictionary<RecordKey, string>()) : (runId, await LoadRunAsync(scope, runId, null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The "latest" pointer's properties (for an ETag check) and the run it names; (null, null) before the first run.</summary>
    private async Task<(BlobItemInfo? Info, string? RunId)> LatestAsync(string scope, CancellationToken cancellationToken)
    {
        var info = await store.GetPropertiesAsync(container, LatestBlob(scope), cancellationToken).ConfigureAwait(false);
        return info is null
            ? (null, null)
            : (info, Encoding.UTF8.GetString(await store.DownloadBytesAsync(container, LatestBlob(scope), cancellationToken).ConfigureAwait(false)).Trim());
    }

    /// <summary>A saved run's mapping; with <paramref name="datasets"/>, only those datasets' records (the id map one activity
    /// needs: only their blobs are read).</summary>
    public Task<Dictionary<RecordKey, string>> LoadRunAsync(string scope, string runId, IReadOnlyCollection<string>? datasets = null, CancellationToken cancellationToken = default) =>
        LoadRunAsync(scope, runId, datasets, null, cancellationToken);

    /// <summary>
    /// The saved person ids of <paramref name="datasets"/>' records, held as bytes (<see cref="SavedPersonIds"/>); with
    /// <paramref name="rows"/> (dataset → row ids), only those records: the ids of a step that reads a few of the
    /// datasets' rows, without holding the rest of the mapping.
    /// </summary>
    internal async Task<SavedPersonIds> LoadLookupAsync(string scope, string runId, IReadOnlyCollection<string> datasets, IReadOnlyDictionary<string, IdRepeatCheck>? rows, bool shareStrings, CancellationToken cancellationToken = default)
    {
        RecordFilter? filter = null;
        if (rows is not null)
        {
            var lookup = rows.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
            filter = (dataset, row) => lookup.TryGetValue(dataset, out var ids) && ids.IndexOf(row) >= 0;
        }

        var ids = new SavedPersonIds(shareStrings);
        await foreach (var (record, person, _) in ReadRunAsync(scope, runId, datasets, filter, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(record.Dataset, record.RowId, person);
        }

        ids.Complete();
        return ids;
    }

    private async Task<Dictionary<RecordKey, string>> LoadRunAsync(string scope, string runId, IReadOnlyCollection<string>? datasets, RecordFilter? filter, CancellationToken cancellationToken)
    {
        // A dataset name repeats on every row and a person id on each of that person's rows: keep one copy of
        // each, so a national mapping costs about a row id per record rather than three strings.
        var mapping = new Dictionary<RecordKey, string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string Shared(string value) => names.TryGetValue(value, out var kept) ? kept : names[value] = value;
        await foreach (var (record, person, _) in ReadRunAsync(scope, runId, datasets, filter, cancellationToken).ConfigureAwait(false))
        {
            mapping[record with { Dataset = Shared(record.Dataset) }] = Shared(person);
        }

        return mapping;
    }

    /// <summary>Streams a saved run's mapping without holding it in memory,
    /// sorted by dataset, then row id (ordinal).</summary>
    public IAsyncEnumerable<KeyValuePair<RecordKey, string>> ReadRunAsync(string scope, string runId, CancellationToken cancellationToken = default) =>
        ReadRunAsync(scope, runId, null, cancellationToken);

    /// <summary>As <see cref="ReadRunAsync(string, string, CancellationToken)"/>, only the records of <paramref name="datasets"/> (null: all).</summary>
    public async IAsyncEnumerable<KeyValuePair<RecordKey, string>> ReadRunAsync(string scope, string runId, IReadOnlyCollection<string>? datasets, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var saved in ReadRunAsync(scope, runId, datasets, null, cancellationToken).ConfigureAwait(false))
        {
            yield return new KeyValuePair<RecordKey, string>(saved.Record, saved.PersonId);
        }
    }

    /// <summary>A record of a saved mapping: its person id and, in runs saved with checks, its <see cref="RecordChecks"/> value.</summary>
    private readonly record struct SavedRecord(RecordKey Record, string PersonId, ulong? Check);

    /// <summary>Whether a record (its dataset and row id, as read) is wanted.</summary>
    private delegate bool RecordFilter(ReadOnlySpan<char> dataset, ReadOnlySpan<char> rowId);

    /// <summary>With <paramref name="filter"/>, a row it refuses is passed over in the reader's buffer (no string made).</summary>
    private async IAsyncEnumerable<SavedRecord> ReadRunAsync(string scope, string runId, IReadOnlyCollection<string>? datasets, RecordFilter? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var legacy = LegacyRunBlob(scope, runId);
        IEnumerable<string> blobs;
        if (await store.GetPropertiesAsync(container, legacy, cancellationToken).ConfigureAwait(false) is not null)
        {
            blobs = [legacy];
        }
        else if (await store.GetPropertiesAsync(container, ReportBlob(scope, runId), cancellationToken).ConfigureAwait(false) is null)
        {
            // The report is written after every dataset's blob: without it the mapping was never saved whole (or was
            // deleted), and reading what is there would silently give the run's people fewer ids than they have.
            throw new DeidentificationException(
                $"The person id mapping of run '{runId}' (scope '{scope}') is not in {container}/{RunFolder(scope, runId)}: it was never saved whole, or it was deleted. " +
                $"A refresh builds on the latest run's ids: restore that run's blobs, or delete {container}/{LatestBlob(scope)} to give every person a new id.");
        }
        else if (datasets is not null)
        {
            var wanted = new List<string>();
            foreach (var dataset in datasets.Order(StringComparer.Ordinal))
            {
                var blob = DatasetBlob(scope, runId, dataset);
                if (await store.GetPropertiesAsync(container, blob, cancellationToken).ConfigureAwait(false) is not null)
                {
                    wanted.Add(blob); // a dataset without a blob has no records in the run
                }
            }

            blobs = wanted;
        }
        else
        {
            var folder = RunFolder(scope, runId);
            var all = new List<string>();
            await foreach (var item in store.ListAllAsync(container, folder, cancellationToken).ConfigureAwait(false))
            {
                all.Add(item.Name);
            }

            // In dataset order (the blob names' order differs: "crown-court.csv" sorts before "crown.csv").
            blobs = all.OrderBy(name => name[folder.Length..^".csv".Length], StringComparer.Ordinal);
        }

        foreach (var name in blobs)
        {
            await using var stream = await store.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
            using var text = new StreamReader(stream, Encoding.UTF8);
            var csv = new CsvReader(text, $"{container}/{name}");
            var header = await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            int d = header.Require("dataset", "dataset"), r = header.Require("row_id", "row id"), p = header.Require("person_id", "person id");
            var check = header.IndexOf(CheckColumn); // absent in mappings saved before record checks were kept
            string? dataset = null; // a blob holds one dataset's rows: its name is made into a string once, not per row
            while (await csv.ReadRowInPlaceAsync(cancellationToken).ConfigureAwait(false) is { } row)
            {
                if (filter is not null && !filter(row.Span(d), row.Span(r)))
                {
                    continue;
                }

                if (dataset is null || !row.Span(d).SequenceEqual(dataset))
                {
                    dataset = row[d];
                }

                if (datasets is null || datasets.Contains(dataset))
                {
                    ulong? saved = check is { } c && RecordChecks.TryParse(row.Span(c), out var value) ? value : null;
                    yield return new SavedRecord(new RecordKey(dataset, row[r]), row[p], saved);
                }
            }
        }
    }

    /// <summary>
    /// Loads the previous mapping, assigns person ids to the current clusters, saves the run and
    /// moves "latest" to it. If this run id was saved before (a retry), returns what was saved.
    /// </summary>
    public Task<PersonIdAssignment> AssignAndSaveAsync(
        string scope,
        string runId,
        IEnumerable<KeyValuePair<RecordKey, string>> currentClusters,
        PersonIdAssigner assigner,
        CancellationToken cancellationToken = default) =>
        AssignAndSaveAsync(scope, runId, previous => assigner.Assign(currentClusters, previous), cancellationToken);

    /// <summary>As above, over arrays: <paramref name="records"/> sorted by <see cref="RecordKey.Order"/> and the cluster
    /// number of each (<see cref="PersonIdAssigner.Assign(RecordKey[], int[], IReadOnlyDictionary{RecordKey, string}?)"/>).</summary>
    public Task<PersonIdAssignment> AssignAndSaveAsync(
        string scope,
        string runId,
        RecordKey[] records,
        int[] clusterOf,
        PersonIdAssigner assigner,
        CancellationToken cancellationToken = default) =>
        AssignAndSaveAsync(scope, runId, previous => assigner.Assign(records, clusterOf, previous), cancellationToken);

    /// <summary>
    /// As above for a national run: <paramref name="current"/> is the run's records in mapping order (ids as UTF-8, no
    /// string per record) and <paramref name="clusterOf"/>[r] the cluster of record r of the set. The previous run's
    /// mapping is streamed and matched in that order (no table of it); the previous person ids and the new ones are
    /// held as bytes. Returns the report (the mapping is saved, not returned); a retry of a saved run returns its report.
    /// With <paramref name="checks"/> (by position in the record set), a previous record's person id is carried over only
    /// if its saved check is the current record's (the same record, not another one under its row id); the checks are
    /// saved with the mapping for the next refresh.
    /// </summary>
    internal async Task<PersonIdReport> AssignAndSaveAsync(string scope, string runId, RecordOrder current, int[] clusterOf, PersonIdAssigner assigner, RecordChecks? checks = null, CancellationToken cancellationToken = default)
    {
        var (saved, latestInfo, previousRunId) = await PrepareAsync(scope, runId, cancellationToken).ConfigureAwait(false);
        if (saved)
        {
            return await LoadReportAsync(scope, runId, cancellationToken).ConfigureAwait(false);
        }

        if (checks is not null && checks.Values.Length != clusterOf.Length)
        {
            throw new ArgumentException($"{checks.Values.Length} record checks for {clusterOf.Length} records.", nameof(checks));
        }

        var persons = new IdRepeatCheck();
        var matched = previousRunId is null ? null : await MatchPreviousAsync(scope, previousRunId, current, checks, persons, cancellationToken).ConfigureAwait(false);
        var clusters = assigner.AssignClusters(clusterOf, current.Positions, matched?.PreviousPerson, persons);
        var report = clusters.Report with { RecordsChanged = matched?.Changed ?? 0, RecordsUnchecked = matched?.Unchecked ?? 0 };
        await SaveAsync(
            scope,
            runId,
            current.Count,
            current.Dataset,
            k => Encoding.UTF8.GetString(current.RowId(k)),
            k => Encoding.UTF8.GetString(persons.Utf8(clusters.PersonOfCluster[clusters.Number(k)])),
            checks is null ? null : (checks.Scheme, k => checks.Values[current.Positions[k]]),
            report,
            latestInfo,
            cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task<PersonIdAssignment> AssignAndSaveAsync(string scope, string runId, Func<IReadOnlyDictionary<RecordKey, string>, PersonIdAssignment> assign, CancellationToken cancellationToken)
    {
        var (saved, latestInfo, previousRunId) = await PrepareAsync(scope, runId, cancellationToken).ConfigureAwait(false);
        if (saved)
        {
            return await LoadSavedAsync(scope, runId, cancellationToken).ConfigureAwait(false);
        }

        var previous = previousRunId is null ? [] : await LoadRunAsync(scope, previousRunId, null, null, cancellationToken).ConfigureAwait(false);
        var assignment = assign(previous);
        previous.Clear(); // not needed for writing: on a refresh, free it before the blobs are written
        previous.TrimExcess();

        var sorted = (SortedRecordMap)assignment.Mapping; // as every PersonIdAssigner.Assign returns it
        await SaveAsync(scope, runId, sorted.Count, k => sorted.Records[k].Dataset, k => sorted.Records[k].RowId, k => sorted.RecordValues[k], null, assignment.Report, latestInfo, cancellationToken).ConfigureAwait(false);
        return assignment;
    }

    /// <summary>Creates the container; whether this run is saved already (a retry), the "latest" pointer's properties
    /// (for the ETag check) and the run it points to.</summary>
    private async Task<(bool Saved, BlobItemInfo? LatestInfo, string? PreviousRunId)> PrepareAsync(string scope, string runId, CancellationToken cancellationToken)
    {
        await store.CreateContainerIfNotExistsAsync(container, cancellationToken).ConfigureAwait(false);
        if (await store.GetPropertiesAsync(container, ReportBlob(scope, runId), cancellationToken).ConfigureAwait(false) is not null)
        {
            return (true, null, null);
        }

        var (latestInfo, previousRunId) = await LatestAsync(scope, cancellationToken).ConfigureAwait(false);
        return (previousRunId == runId, latestInfo, previousRunId);
    }

    /// <summary>What <see cref="MatchPreviousAsync"/> found: the previous person of each place (-1: none), the records whose
    /// row id the previous run had with another check (another record: not carried over), and those carried over
    /// without a check to compare (the previous run saved none, or made them with another key or other columns).</summary>
    private sealed record PreviousMatch(int[] PreviousPerson, int Changed, int Unchecked);

    /// <summary>
    /// The previous run's person of each place of <paramref name="current"/> (-1: the record is new), streaming the
    /// saved mapping, which is in the same order, beside it; every previous person id goes into <paramref name="persons"/>.
    /// With <paramref name="checks"/>, a record whose saved check differs from its current one is new.
    /// </summary>
    private async Task<PreviousMatch> MatchPreviousAsync(string scope, string previousRunId, RecordOrder current, RecordChecks? checks, IdRepeatCheck persons, CancellationToken cancellationToken)
    {
        var previousPerson = new int[current.Count];
        Array.Fill(previousPerson, -1);
        var previousScheme = checks is null ? null : await LoadSchemeAsync(scope, previousRunId, cancellationToken).ConfigureAwait(false);
        var compare = checks is not null && checks.Scheme.Matches(previousScheme);
        int changedCount = 0, uncheckedCount = 0;
        var k = 0;
        var row = 0L;
        RecordKey? last = null;
        var utf8 = new byte[256];
        await foreach (var (record, person, check) in ReadRunAsync(scope, previousRunId, null, null, cancellationToken).ConfigureAwait(false))
        {
            row++;
            var p = persons.Intern(person);
            if (last is { } before && RecordKey.Order.Compare(before, record) >= 0)
            {
                throw new DeidentificationException(
                    $"The person id mapping of run '{previousRunId}' (scope '{scope}') is not in dataset and row id order at its row {row}: it was not written by DataFirst, or was changed. " +
                    $"Restore that run's blobs in {container}/{RunFolder(scope, previousRunId)}, or delete {container}/{LatestBlob(scope)} to give every person a new id.");
            }

            last = record;
            var length = Encoding.UTF8.GetByteCount(record.RowId);
            if (length > utf8.Length)
            {
                utf8 = new byte[Math.Max(length, utf8.Length * 2)];
            }

            var id = utf8.AsSpan(0, Encoding.UTF8.GetBytes(record.RowId, utf8));
            var sign = -1;
            while (k < current.Count && (sign = string.CompareOrdinal(current.Dataset(k), record.Dataset) is var d and not 0 ? d : RecordOrder.Compare(current.RowId(k), id)) < 0)
            {
                k++;
            }

            if (k < current.Count && sign == 0)
            {
                if (!compare || check is not { } saved)
                {
                    previousPerson[k] = p;
                    uncheckedCount += checks is null ? 0 : 1; // counted only where this run could have compared (it saves checks)
                }
                else if (saved == checks!.Values[current.Positions[k]])
                {
                    previousPerson[k] = p;
                }
                else
                {
                    changedCount++; // another record under the row id: it starts afresh, as a record the previous run did not have
                }
            }
        }

        return new PreviousMatch(previousPerson, changedCount, uncheckedCount);
    }

    /// <summary>The scheme of a saved run's record checks; null for a run saved without them.</summary>
    private async Task<RecordCheckScheme?> LoadSchemeAsync(string scope, string runId, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize<RecordCheckScheme>(await store.DownloadBytesAsync(container, ChecksBlob(scope, runId), cancellationToken).ConfigureAwait(false), JsonOptions);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            return null; // a run saved without checks
        }
        catch (JsonException)
        {
            return null; // unreadable: the checks are not compared, as for a run saved without them (the report counts them)
        }
    }

    /// <summary>Writes the mapping (<paramref name="count"/> records in mapping order) a blob per dataset, then the
    /// report, then moves "latest" to the run with an ETag check.</summary>
    private async Task SaveAsync(string scope, string runId, int count, Func<int, string> datasetOf, Func<int, string> rowIdOf, Func<int, string> personIdOf, (RecordCheckScheme Scheme, Func<int, ulong> CheckOf)? checks, PersonIdReport assigned, BlobItemInfo? latestInfo, CancellationToken cancellationToken)
    {
        if (checks is { } withChecks)
        {
            await store.UploadBytesAsync(container, ChecksBlob(scope, runId), JsonSerializer.SerializeToUtf8Bytes(withChecks.Scheme, JsonOptions), new BlobUploadOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }

        // One blob per dataset, each sorted by row id (ordinal): the linking dataset streams them in dataset order.
        for (var from = 0; from < count;)
        {
            var dataset = datasetOf(from);
            var to = from + 1;
            while (to < count && string.Equals(datasetOf(to), dataset, StringComparison.Ordinal))
            {
                to++;
            }

            var (first, last) = (from, to);
            await UploadOnceAsync(DatasetBlob(scope, runId, dataset), "text/csv", async stream =>
            {
                await using var writer = BlobText.Writer(stream);
                var csv = new ShareCsvWriter(writer);
                var checkOf = checks?.CheckOf;
                await csv.WriteRowAsync(checkOf is null ? ["dataset", "row_id", "person_id"] : ["dataset", "row_id", "person_id", CheckColumn], cancellationToken).ConfigureAwait(false);
                for (var i = first; i < last; i++)
                {
                    await csv.WriteRowAsync(checkOf is null ? [dataset, rowIdOf(i), personIdOf(i)] : [dataset, rowIdOf(i), personIdOf(i), RecordChecks.Format(checkOf(i))], cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            from = to;
        }

        var report = JsonSerializer.SerializeToUtf8Bytes(assigned, JsonOptions);
        await store.UploadBytesAsync(container, ReportBlob(scope, runId), report, new BlobUploadOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

        var pointer = Encoding.UTF8.GetBytes(runId);
        var options = latestInfo is null
            ? new BlobUploadOptions { IfNotExists = true, ContentType = "text/plain" }
            : new BlobUploadOptions { IfMatch = latestInfo.ETag, ContentType = "text/plain" };
        try
        {
            await store.UploadBytesAsync(container, LatestBlob(scope), pointer, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind is StorageErrorKind.Conflict or StorageErrorKind.PreconditionFailed)
        {
            throw new DeidentificationException($"Another run moved the person id mapping of scope '{scope}' while run '{runId}' was assigning ids; rerun run '{runId}' so it builds on the newer mapping.", ex);
        }
    }

    private async Task<PersonIdAssignment> LoadSavedAsync(string scope, string runId, CancellationToken cancellationToken) =>
        new(await LoadRunAsync(scope, runId, null, null, cancellationToken).ConfigureAwait(false), await LoadReportAsync(scope, runId, cancellationToken).ConfigureAwait(false));

    private async Task<PersonIdReport> LoadReportAsync(string scope, string runId, CancellationToken cancellationToken)
    {
        var reportBytes = await store.DownloadBytesAsync(container, ReportBlob(scope, runId), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<PersonIdReport>(reportBytes, JsonOptions)
            ?? throw new DeidentificationException($"{container}/{ReportBlob(scope, runId)} is empty; delete the run's blobs and rerun it.");
    }

    private async Task UploadOnceAsync(string name, string contentType, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            await PipedUpload.UploadAsync(store, container, name, new BlobUploadOptions { IfNotExists = true, ContentType = contentType }, write, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
        {
            // A previous attempt of this run wrote the mapping but not its report: replace it with this attempt's.
            await PipedUpload.UploadAsync(store, container, name, new BlobUploadOptions { ContentType = contentType }, write, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// A temporary file deleted on dispose: spills large outputs to disk instead of memory. A full disk is reported as
/// <see cref="LocalDisk.TempFolderFull"/>, naming what was being written.
/// </summary>
internal sealed class TempFile : IAsyncDisposable
{
    private TempFile(Stream stream) => Stream = stream;

    public Stream Stream { get; }

    /// <param name="what">What the file holds, for the message if the disk fills (no values: e.g. "the clustering's edge file").</param>
    public static TempFile Create(string what) =>
        new(LocalDisk.GuardTempFile(
            new FileStream(Path.Combine(Path.GetTempPath(), "datafirst-" + Guid.NewGuid().ToString("N") + ".tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous),
            what));

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>
/// Text (UTF-8, no BOM) written to a temporary file as it comes, synchronously if need be (e.g. by a row sink), and
/// uploaded whole once complete.
/// </summary>
internal sealed class SpooledText : IAsyncDisposable
{
    private readonly TempFile _file;

    /// <param name="what">What the text is, for the message if the disk fills (see <see cref="TempFile.Create"/>).</param>
    public SpooledText(string what)
    {
        _file = TempFile.Create(what);
        Writer = BlobText.Writer(_file.Stream);
    }

    public StreamWriter Writer { get; }

    public async Task UploadAsync(IBlobStore store, string container, string name, BlobUploadOptions? options, CancellationToken cancellationToken)
    {
        await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Stream.Position = 0;
        await store.UploadAsync(container, name, _file.Stream, options, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Text;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;
using DataFirst.Core.Storage;
using DataFirst.Core.Workflow;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Reads one extract, checks it against its dataset profile and the columns the share reads of it (an extract lacking
/// one is refused whole, before any row is read), moves broken rows to quarantine with a reason (wrong number of
/// fields, missing or repeated row id, an empty required column, bytes that are not UTF-8), maps
/// the identifier columns to the canonical names the linkage settings use, standardises them into
/// a columnar record set, and stores that in the run's working folder. Datasets without person
/// identifiers are validated and counted but take no part in linkage.
/// </summary>
public sealed class IngestExtractActivity(PipelineServices services)
{
    public const string Name = nameof(IngestExtractActivity);

    /// <summary>The canonical linkage columns an extract's identifiers are mapped to.</summary>
    public static readonly IReadOnlyList<string> CanonicalColumns = ExtractColumnMapping.CanonicalColumns;

    public async Task<IngestExtractResult> RunAsync(IngestExtractInput input, CancellationToken cancellationToken)
    {
        try
        {
            return await IngestAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (CsvFormatException ex)
        {
            // Not CSV from some line on (e.g. a quote never closed): no row after it can be trusted, so
            // the whole file goes to quarantine rather than one giant "row".
            await QuarantineWholeFileAsync(input, ex.Message, cancellationToken).ConfigureAwait(false);
            throw new ExtractRejectedException($"{ex.Message} The file was copied to quarantine; fix the extract and upload it again.");
        }
    }

    private async Task<IngestExtractResult> IngestAsync(IngestExtractInput input, CancellationToken cancellationToken)
    {
        var extract = input.Extract;
        var profile = PipelineProfiles.Get(extract.Dataset, extract.Blob);
        var settings = await PipelineSettings.LoadAsync(services, input.Run.SettingsBlob, cancellationToken).ConfigureAwait(false);

        await using var stream = await OpenExtractAsync(extract, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var csv = new CsvReader(reader, $"extract '{extract.Blob}' (dataset {extract.Dataset})", trimUnquoted: true);
        var header = csv.ReadHeader(h => ExtractColumnMapping.Create(profile, Trimmed(h)).MissingColumns.Count) is { } raw ? Trimmed(raw) : null;
        if (header is null || header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
        {
            throw new ExtractRejectedException($"extract '{extract.Blob}' (dataset {extract.Dataset}) is empty: it has no header row.");
        }

        var mapping = ExtractColumnMapping.Create(profile, header);
        if (HeaderProblem(input, profile, mapping, header) is { } reason)
        {
            await QuarantineWholeFileAsync(input, reason, cancellationToken).ConfigureAwait(false);
            throw new ExtractRejectedException($"{reason} The file was copied to quarantine; fix the extract and upload it again.");
        }

        var idColumn = mapping.UniqueIdIndex;
        var required = RequiredColumns(profile, header);
        var seen = new IdRepeatCheck(); // the row ids as UTF-8 bytes: a set of strings took about 70 bytes a row
        long total = 0;

        // Neither output is held in memory as the rows stream past: the clean copy is uploaded as it is written (no
        // local file), the quarantine, uploaded only if a row is rejected, is spooled to a local file. Later stages
        // (share writing, case linking) read the clean copy: the accepted rows only.
        var cleanBlob = PipelineServices.Working(input.Run, $"clean/{profile.Name}.csv");
        await using var cleanText = services.StartText(cleanBlob, cancellationToken);
        var clean = new CsvRows(cleanText.Writer, header);
        await using var quarantineText = new Deidentification.SpooledText($"the rejected rows of extract {profile.Name}");
        var quarantine = new CsvRows(quarantineText.Writer, ["source_line", "reason", .. header]);

        // A court extract case linking reads also gives the few columns (and, for the magistrates' court, the few rows)
        // the linker uses, so that stage need not parse the whole extract again.
        var caseLink = CaseLinking.CaseLinkProjection.For(profile.Name, header);
        var caseLinkBlob = caseLink is null ? null : PipelineServices.Working(input.Run, $"clean/case-link/{profile.Name}.csv");
        await using var caseLinkText = caseLinkBlob is null ? null : services.StartText(caseLinkBlob, cancellationToken);
        var caseLinkRows = caseLinkText is null ? null : new CsvRows(caseLinkText.Writer, caseLink!.Header);
        RecordSet? records = null;

        // One pass: validate, quarantine, copy the accepted row, and hand its identifiers, mapped to the
        // canonical columns, to the engine's builder (which keeps only interned codes). Rows are read in place: the
        // clean copy is written from the reader's buffer, and strings are made only of the identifiers (and of a
        // rejected row's fields).
        IEnumerable<string?[]> Accepted()
        {
            while (csv.ReadRowInPlace() is { } row)
            {
                cancellationToken.ThrowIfCancellationRequested();
                total++;
                if (Validate(row, header.Length, idColumn, required, seen, csv.EndLineNumber - csv.LineNumber) is { } reason)
                {
                    quarantine.Add([csv.LineNumber.ToString(CultureInfo.InvariantCulture), $"{extract.Blob}: {reason}", .. row.ToArray()]);
                    continue;
                }

                clean.Add(row);
                if (caseLink?.Project(row) is { } projected)
                {
                    caseLinkRows!.Add(projected);
                }

                // A person-level row's identifiers, without its id (the builder takes the ids from the check); nothing
                // for a row the engine does not read.
                yield return profile.IsPersonLevel ? mapping.ToCanonical(row, withUniqueId: false) : [];
            }
        }

        try
        {
            if (profile.IsPersonLevel)
            {
                // Reading and checking the rows runs beside standardising them (ReadAhead), so the largest extract's
                // ingest, which the stage waits for, uses two cores. The builder takes the row ids from the check
                // above (every accepted row's, in order) instead of holding them a second time.
                records = new RecordSetBuilder(settings, checkedIds: seen).AddRows(CanonicalColumns.ToList(), ReadAhead.Enumerate(Accepted(), cancellationToken), profile.Name, extract.Blob).Build();
            }
            else
            {
                foreach (var _ in Accepted())
                {
                }
            }
        }
        catch (Settings.DataException) when (total == quarantine.Rows)
        {
            records = null; // no usable rows: reported below, with the quarantine
        }

        await cleanText.CompleteAsync().ConfigureAwait(false);
        if (caseLinkText is not null)
        {
            await caseLinkText.CompleteAsync().ConfigureAwait(false);
        }

        string? quarantineBlob = null;
        if (quarantine.Rows > 0)
        {
            quarantineBlob = $"{PipelineServices.QuarantineContainer}/{input.Run.Share}/{input.Run.RunId}/{profile.Name}.rejected.csv";
            var (container, name) = BlobRef.Split(quarantineBlob);
            await quarantineText.UploadAsync(services.Blobs, container, name, null, cancellationToken).ConfigureAwait(false);
        }

        var accepted = total - quarantine.Rows;
        if (accepted == 0)
        {
            throw new ExtractRejectedException($"extract '{extract.Blob}' (dataset {extract.Dataset}) has no usable rows ({total} row(s), {quarantine.Rows} quarantined{(quarantineBlob is null ? string.Empty : $" in {quarantineBlob}")}).");
        }

        var nullCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var recordsBlob = string.Empty;
        if (records is not null)
        {
            recordsBlob = PipelineServices.Working(input.Run, $"records/{profile.Name}.dfrs");
            await RecordBlobs.WriteAsync(services, recordsBlob, records, cancellationToken).ConfigureAwait(false);
            foreach (var column in records.Report?.Columns ?? [])
            {
                nullCounts[column.Column] = column.Nulls;
                if (column.InvalidNulled > 0)
                {
                    nullCounts[column.Column + ":invalid"] = column.InvalidNulled;
                }
            }
        }

        return new IngestExtractResult(profile.Name, recordsBlob, cleanBlob, accepted, quarantine.Rows, quarantineBlob, nullCounts, caseLinkBlob);
    }

    private static string[] Trimmed(string[] header) => header.Select(h => h.Trim()).ToArray();

    /// <summary>Why no row of the extract can be used, from its header alone: a name given twice, or a column the profile
    /// requires or the share reads missing. Every problem is named, so one fix is enough. Null when there is none.</summary>
    private static string? HeaderProblem(IngestExtractInput input, DatasetProfile profile, ExtractColumnMapping mapping, string[] header)
    {
        var problems = new List<string>();
        var repeated = mapping.RepeatedColumns;
        if (repeated.Count > 0)
        {
            problems.Add($"names column(s) {string.Join(", ", repeated.Select(c => $"'{c}'"))} twice in its header (names are matched ignoring case), so no step can tell which is meant; rename or drop one");
        }

        var missing = mapping.MissingColumns;
        var names = new HashSet<string>(header, StringComparer.OrdinalIgnoreCase);
        var needed = input.ShareColumns?.Columns ?? [];
        var shareMissing = needed.Where(c => !names.Contains(c) && !missing.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        var lacks = new List<string>();
        if (missing.Count > 0)
        {
            lacks.Add($"column(s) {string.Join(", ", missing)} that the {profile.Name} profile requires");
        }

        if (shareMissing.Count > 0)
        {
            var source = input.ShareColumns!.ShareSpecBlob is { } spec
                ? $"for what share spec '{spec}' asks of {profile.Name}"
                : $"no share spec was given, so it has every shareable variable of {profile.Name}";
            lacks.Add($"column(s) {string.Join(", ", shareMissing)} that share '{input.Run.Share}' needs ({source})");
        }

        if (lacks.Count > 0)
        {
            // Most of what the share reads absent: more likely another dataset's file under this name than a few dropped columns.
            var hint = needed.Count >= 4 && needed.Count(c => !names.Contains(c)) * 2 > needed.Count
                ? $". Most of the columns the share reads are absent: is the file the extract of another dataset, not {profile.Name}?"
                : string.Empty;
            problems.Add($"lacks {string.Join(", and ", lacks)}{hint}");
        }

        return problems.Count == 0
            ? null
            : $"extract '{input.Extract.Blob}' (dataset {input.Extract.Dataset}) {string.Join(". It also ", problems)}{(problems[^1].EndsWith('?') ? string.Empty : ".")}";
    }

    /// <summary>The header positions and names of the columns the profile marks required, other than the row id (which has
    /// its own check); the header has them all (<see cref="ExtractColumnMapping.MissingColumns"/>).</summary>
    private static (int Index, string Name)[] RequiredColumns(DatasetProfile profile, string[] header) =>
        profile.Columns.Where(c => c.Required && !string.Equals(c.Name, profile.UniqueIdColumn, StringComparison.OrdinalIgnoreCase))
            .Select(c => (Array.FindIndex(header, h => string.Equals(h, c.Name, StringComparison.OrdinalIgnoreCase)), c.Name))
            .Where(c => c.Item1 >= 0)
            .ToArray();

    private async Task<Stream> OpenExtractAsync(ExtractReference extract, CancellationToken cancellationToken)
    {
        try
        {
            return await services.OpenReadAsync(extract.Blob, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            throw new ExtractRejectedException($"extract '{extract.Blob}' (dataset {extract.Dataset}) does not exist.");
        }
    }

    private static string? Validate(CsvRow row, int width, int idColumn, (int Index, string Name)[] required, IdRepeatCheck seen, long extraLines)
    {
        if (row.Count != width)
        {
            // A row that runs over several lines and has the wrong width usually holds a stray quote
            // closed by another far below: say so, since the lines it swallowed are in this one row.
            return extraLines > 0
                ? $"{row.Count} fields where the header has {width}; the row runs over {extraLines + 1} lines, so a quote in it is probably not closed where it should be"
                : $"{row.Count} fields where the header has {width}";
        }

        if (row.AllFields.Contains(CsvReader.ReplacementCharacter))
        {
            return $"{CsvReader.NotUtf8Problem} (re-export the extract as UTF-8)";
        }

        var id = row.Span(idColumn).Trim();
        if (id.IsEmpty)
        {
            return "empty row id";
        }

        // Before the id is recorded: the ids checked are the accepted rows' (the record-set builder takes them).
        string? empty = null;
        foreach (var (index, name) in required)
        {
            if (row.Span(index).Trim().IsEmpty)
            {
                empty = empty is null ? $"'{name}'" : $"{empty}, '{name}'";
            }
        }

        if (empty is not null)
        {
            return $"empty required column(s) {empty}";
        }

        return seen.Add(id) < 0 ? null : "row id repeats an earlier row";
    }

    /// <summary>Copies the whole extract to quarantine with a reason file; <paramref name="reason"/> names the file
    /// itself (as a <see cref="CsvFormatException"/> message does), so it is written as given.</summary>
    private async Task QuarantineWholeFileAsync(IngestExtractInput input, string reason, CancellationToken cancellationToken)
    {
        var (container, name) = BlobRef.Split(input.Extract.Blob);
        var target = $"{PipelineServices.QuarantineContainer}/{input.Run.Share}/{input.Run.RunId}/{input.Extract.Dataset}";
        await using (var source = await services.Blobs.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false))
        {
            await services.WriteAsync($"{target}.csv", s => source.CopyToAsync(s, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        await services.WriteAsync($"{target}.reason.txt", s => s.WriteAsync(Encoding.UTF8.GetBytes(reason + "\n"), cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>CSV rows written to a text writer as they stream past (the clean copy's upload, the spooled quarantine),
    /// through one reused line buffer: no string per row.</summary>
    private sealed class CsvRows
    {
        private readonly TextWriter _writer;
        private readonly StringBuilder _line = new(256);

        public CsvRows(TextWriter writer, IReadOnlyList<string> header)
        {
            _writer = writer;
            Write(header);
        }

        public long Rows { get; private set; }

        public void Add(IReadOnlyList<string> row)
        {
            Write(row);
            Rows++;
        }

        private void Write(IReadOnlyList<string> fields) =>
            _writer.Write(Deidentification.ShareCsvWriter.AppendRow(_line.Clear(), fields).Append('\n'));
    }
}

/// <summary>An extract that cannot be used as it is: the run fails at once (no retry) with this message.</summary>
public sealed class ExtractRejectedException(string message) : PermanentFailureException(message);

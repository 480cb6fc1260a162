using System.Globalization;
using System.Text;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>Finds the internal person id of a record (the mapping of <see cref="PersonIdAssigner"/>).</summary>
public interface IPersonIdLookup
{
    bool TryGetPersonId(RecordKey record, out string internalPersonId);
}

/// <summary>A lookup over an in-memory mapping (one dataset's, or the run's).</summary>
public sealed class PersonIdLookup(IReadOnlyDictionary<RecordKey, string> mapping) : IPersonIdLookup
{
    public bool TryGetPersonId(RecordKey record, out string internalPersonId)
    {
        if (mapping.TryGetValue(record, out var id))
        {
            internalPersonId = id;
            return true;
        }

        internalPersonId = string.Empty;
        return false;
    }
}

/// <summary>
/// Sees a share file as it is written: its header, then each row's cells as written (formula-neutralised, before CSV
/// quoting). The writer works in batches on several threads: each batch's rows go to a <see cref="Part"/> of the sink,
/// and the parts are merged back in file order.
/// </summary>
public interface IShareRowSink
{
    void Header(IReadOnlyList<string> columns);

    void Row(IReadOnlyList<string> cells);

    /// <summary>A new, empty sink for some of the rows (after <see cref="Header"/>), used by one thread at a time.</summary>
    IShareRowSink Part();

    /// <summary>Adds what a <see cref="Part"/> of this sink saw, as if its rows had come here.</summary>
    void Merge(IShareRowSink part);
}

/// <summary>Several <see cref="IShareRowSink"/>s as one.</summary>
public static class ShareRowSinks
{
    /// <summary>The sinks given (nulls left out) as one sink: null for none, the sink itself for one.</summary>
    public static IShareRowSink? Combine(params IShareRowSink?[] sinks)
    {
        var given = sinks.OfType<IShareRowSink>().ToArray();
        return given.Length switch
        {
            0 => null,
            1 => given[0],
            _ => new All(given),
        };
    }

    private sealed class All(IShareRowSink[] sinks) : IShareRowSink
    {
        private readonly IShareRowSink[] _sinks = sinks;

        public void Header(IReadOnlyList<string> columns)
        {
            foreach (var sink in _sinks)
            {
                sink.Header(columns);
            }
        }

        public void Row(IReadOnlyList<string> cells)
        {
            foreach (var sink in _sinks)
            {
                sink.Row(cells);
            }
        }

        public IShareRowSink Part() => new All(_sinks.Select(s => s.Part()).ToArray());

        public void Merge(IShareRowSink part)
        {
            if (part is not All all || all._sinks.Length != _sinks.Length)
            {
                throw new ArgumentException("not a part of this sink.", nameof(part));
            }

            for (var i = 0; i < _sinks.Length; i++)
            {
                _sinks[i].Merge(all._sinks[i]);
            }
        }
    }
}

/// <summary>
/// Writes one dataset's share file from its extract, streaming:
/// <c>person_id</c> (person-level datasets), the row id pseudonym, then the variables the share
/// spec approves, in spec order. Never writes a column whose identifier kind is a name, date of
/// birth, address or postcode, whatever the spec says. System ids become keyed pseudonyms, dates
/// are written as yyyy-MM-dd, age_at_event is derived, rows repeating a row id are dropped
/// (first kept), and every cell is formula-neutralised. Returns counts and per-variable statistics
/// for the catalogue; an <see cref="IShareRowSink"/> sees every row written (the disclosure-risk counts). Rows are read in
/// file order and turned into share lines in batches on the thread pool (HMAC pseudonyms are most of the work); the
/// lines are written in file order, so the output does not depend on the parallelism. Memory: the set of row ids seen
/// (for deduplication) and a few batches per core.
/// </summary>
public static class ShareDatasetWriter
{
    /// <summary>Values of a variable listed in the catalogue at most (categorical / boolean only).</summary>
    public const int MaxListedValues = 200;

    /// <summary>Rows turned into share lines per batch on the thread pool. Small batches keep the rows in flight young
    /// for the garbage collector: at 20,000 people, 128 rows took 53 ms, 512 rows 59 ms, 4,096 rows 140 ms.</summary>
    internal const int DefaultBatchRows = 128;

    public static Task<ShareDatasetResult> WriteAsync(
        DatasetProfile profile,
        ShareSpec spec,
        TextReader extract,
        IPersonIdLookup? personIds,
        Pseudonymiser pseudonymiser,
        TextWriter output,
        IShareRowSink? sink = null,
        CancellationToken cancellationToken = default) =>
        WriteAsync(profile, spec, extract, personIds, pseudonymiser, output, sink, DefaultBatchRows, Math.Max(2, Environment.ProcessorCount), cancellationToken);

    /// <param name="batchRows">Rows per batch.</param>
    /// <param name="parallelism">Batches in flight: being turned into lines on the thread pool, or waiting to be written
    /// while this thread reads the next rows. More than the cores slows the reading thread that every batch waits for.</param>
    internal static async Task<ShareDatasetResult> WriteAsync(
        DatasetProfile profile,
        ShareSpec spec,
        TextReader extract,
        IPersonIdLookup? personIds,
        Pseudonymiser pseudonymiser,
        TextWriter output,
        IShareRowSink? sink,
        int batchRows,
        int parallelism,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(spec);
        var datasetSpec = spec.FindDataset(profile.Name)
            ?? throw new DeidentificationException($"Dataset '{profile.Name}' is not in share '{spec.Share}' (share spec $.datasets); add it to the spec or do not write it.");

        var source = $"extract of '{profile.Name}'";
        var csv = new CsvReader(extract, source);
        var header = await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var idIndex = header.Require(profile.UniqueIdColumn, "the dataset's unique row id");
        var idDomain = spec.IdDomainFor(profile, profile.UniqueIdColumn);
        var personLevel = personIds is not null && ShareRules.IsPersonLevel(profile);

        var plans = new List<ColumnPlan>();
        int? dobIndex = null, eventIndex = null;
        foreach (var variable in datasetSpec.Variables)
        {
            if (string.Equals(variable, profile.UniqueIdColumn, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (variable == ShareRules.AgeAtEventVariable)
            {
                dobIndex = header.Require(ShareRules.DateOfBirthColumn(profile)!.Name, "date of birth, to derive age_at_event");
                eventIndex = header.Require(profile.EventDateColumn!, "event date, to derive age_at_event");
                plans.Add(new ColumnPlan(variable, null, -1, PlanKind.Age, null));
                continue;
            }

            var column = profile.FindColumn(variable)
                ?? throw new DeidentificationException($"Variable '{variable}' of share '{spec.Share}' is not in the profile of '{profile.Name}'; parse the spec with ShareSpec.Parse against the same profiles.");
            if (ShareRules.IsNeverShared(column))
            {
                throw new DeidentificationException($"Column '{column.Name}' of '{profile.Name}' is a personal identifier and is never written to a share; remove it from the share spec.");
            }

            var index = header.Require(column.Name, "a variable of the share spec");
            var kind = column.Role == ColumnRole.SystemId ? PlanKind.Pseudonym
                : column.Type == ColumnType.Date ? PlanKind.Date
                : PlanKind.Copy;
            plans.Add(new ColumnPlan(column.Name, column, index, kind, kind == PlanKind.Pseudonym ? spec.IdDomainFor(profile, column.Name) : null)
            {
                Check = kind == PlanKind.Copy ? ShareValueCheck.For(column) : null,
            });
        }

        int? coverageIndex = profile.EventDateColumn is { } ev ? header.IndexOf(ev) : null;

        // The columns the share reads; the batches hold only their characters (no string per field), and the personal
        // identifiers the share never writes (names, date of birth unless for age, address) are not kept at all.
        var read = plans.Where(p => p.Index >= 0).Select(p => p.Index)
            .Concat(new int?[] { dobIndex, eventIndex, coverageIndex }.OfType<int>())
            .Distinct().Order().ToArray();
        csv.KeepOnly(read.Append(idIndex));

        var outHeader = new List<string>();
        if (personLevel)
        {
            outHeader.Add(ShareRules.PersonIdColumn);
        }

        outHeader.Add(profile.FindColumn(profile.UniqueIdColumn)?.Name ?? profile.UniqueIdColumn);
        outHeader.AddRange(plans.Select(p => p.Name));

        var writer = new ShareCsvWriter(output);
        await writer.WriteRowAsync(outHeader, cancellationToken).ConfigureAwait(false);
        sink?.Header(outHeader);

        var rows = new RowPlan(profile.Name, plans, personLevel ? personIds : null, idDomain, dobIndex, eventIndex, coverageIndex, pseudonymiser, sink);
        var stats = plans.Select(p => new VariableAccumulator(p)).ToArray();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seen = seenIds.GetAlternateLookup<ReadOnlySpan<char>>();
        long rowsRead = 0, duplicates = 0, written = 0, missingPerson = 0;
        var coverage = default(Extremes<DateOnly>);

        // Rows are read, checked and de-duplicated here in file order; batches of them are turned into share lines
        // on the thread pool; the lines are written, counted and seen by the sink here, in file order again. The output
        // and the statistics are the same whatever the batch size or the parallelism.
        var pending = new Queue<Task<Batch>>();
        var maxInFlight = Math.Max(1, parallelism);
        var spare = new Stack<Batch>(); // written batches, reused: their buffers stay out of the large-object heap's churn
        var batch = new Batch(outHeader.Count, read, header.Names.Count);
        try
        {
            while (await csv.ReadRowInPlaceAsync(cancellationToken).ConfigureAwait(false) is { } row)
            {
                rowsRead++;
                if (row.Count != header.Names.Count)
                {
                    throw new DeidentificationException($"{source}: line {csv.LineNumber} has {row.Count} fields but the header has {header.Names.Count}; fix or quarantine the row at ingest.");
                }

                var id = row.Span(idIndex).Trim();
                if (id.IsEmpty)
                {
                    throw new DeidentificationException($"{source}: line {csv.LineNumber} has an empty '{profile.UniqueIdColumn}'; every row needs its unique id.");
                }

                if (seen.Contains(id))
                {
                    duplicates++;
                    continue;
                }

                var rowId = new string(id);
                seenIds.Add(rowId);
                batch.Input.Add(row, rowId);
                if (batch.Input.Count == batchRows)
                {
                    var full = batch;
                    pending.Enqueue(Task.Run(() => rows.Process(full), cancellationToken));
                    batch = spare.TryPop(out var reused) ? reused : new Batch(outHeader.Count, read, header.Names.Count);
                    while (pending.Count >= maxInFlight)
                    {
                        await WriteBatchAsync(pending.Dequeue()).ConfigureAwait(false);
                    }
                }
            }

            if (batch.Input.Count > 0)
            {
                var rest = batch;
                pending.Enqueue(Task.Run(() => rows.Process(rest), cancellationToken));
            }

            while (pending.Count > 0)
            {
                await WriteBatchAsync(pending.Dequeue()).ConfigureAwait(false);
            }
        }
        catch
        {
            // Let the batches still running finish before the caller disposes what they read; their outcome no longer matters.
            foreach (var task in pending)
            {
                await ((Task)task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            throw;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new ShareDatasetResult(
            Dataset: profile.Name,
            PersonLevel: personLevel,
            RowsRead: rowsRead,
            RowsWritten: written,
            DuplicateRowsRemoved: duplicates,
            RowsWithoutPersonId: missingPerson,
            CoverageFrom: coverage.Min,
            CoverageTo: coverage.Max,
            Columns: outHeader,
            Variables: stats.Select(s => s.ToStats()).ToList());

        async Task WriteBatchAsync(Task<Batch> task)
        {
            var done = await task.ConfigureAwait(false);
            await output.WriteAsync(done.Text, cancellationToken).ConfigureAwait(false);
            if (done.Sink is not null)
            {
                sink!.Merge(done.Sink);
            }

            for (var i = 0; i < stats.Length; i++)
            {
                stats[i].Merge(done.Stats[i]);
            }

            written += done.Input.Count;
            missingPerson += done.MissingPerson;
            coverage.Add(done.Coverage);
            spare.Push(done.Reset());
        }
    }

    /// <summary>Turns extract rows into share lines; safe to run on several batches at once.</summary>
    private sealed class RowPlan(
        string dataset,
        IReadOnlyList<ColumnPlan> plans,
        IPersonIdLookup? personIds,
        string idDomain,
        int? dobIndex,
        int? eventIndex,
        int? coverageIndex,
        Pseudonymiser pseudonymiser,
        IShareRowSink? sink)
    {
        /// <summary>Where a batch keeps each column of pseudonyms: the person ids' at 0 when there are person ids, then
        /// the row ids' (<c>RowId</c>), then each pseudonymised plan's (<c>Plans[i]</c>, -1 for a plan that is not one);
        /// <c>Count</c> columns in all.</summary>
        private readonly (int RowId, int[] Plans, int Count) _slots = SlotsOf(plans, personIds is not null);

        /// <summary>A value its variable's type or code list does not allow: a blank cell, counted (never copied).</summary>
        private static void Withhold(ShareLine line, VariableAccumulator stats)
        {
            line.Add(string.Empty);
            stats.Withhold();
        }

        /// <summary>Fills <paramref name="batch"/>'s lines, statistics and counts from its input rows.</summary>
        public Batch Process(Batch batch)
        {
            batch.Start(plans, sink?.Part());
            var pseudonyms = PseudonymiseColumns(batch);
            var input = batch.Input;
            var line = batch.Line;
            for (var r = 0; r < input.Count; r++)
            {
                line.Clear();
                if (personIds is not null)
                {
                    line.Add(pseudonyms[0][r]);
                }

                line.Add(pseudonyms[_slots.RowId][r]);
                for (var i = 0; i < plans.Count; i++)
                {
                    var plan = plans[i];
                    DateOnly? parsed = null;
                    switch (plan.Kind)
                    {
                        case PlanKind.Age:
                            if (ShareValues.TryParseDate(input.Field(r, dobIndex!.Value), out var dob) && ShareValues.TryParseDate(input.Field(r, eventIndex!.Value), out var at)
                                && ShareValues.AgeInYears(dob, at) is { } age)
                            {
                                line.AddAge(age);
                            }
                            else
                            {
                                line.Add(string.Empty);
                            }

                            break;
                        case PlanKind.Pseudonym:
                            line.Add(pseudonyms[_slots.Plans[i]][r]);
                            break;
                        case PlanKind.Date:
                            if (ShareValues.TryParseDate(input.Field(r, plan.Index), out var date))
                            {
                                parsed = date;
                                line.AddDate(date);
                            }
                            else if (input.Field(r, plan.Index).IsWhiteSpace())
                            {
                                line.Add(string.Empty);
                            }
                            else
                            {
                                Withhold(line, batch.Stats[i]);
                            }

                            break;
                        default:
                            var field = input.Field(r, plan.Index).Trim();
                            string? code = null;
                            if (plan.Check is not { } check || field.IsEmpty || check.Accepts(field, out code))
                            {
                                if (code is null)
                                {
                                    line.AddField(input, r, plan.Index, plan.Numeric);
                                }
                                else
                                {
                                    line.Add(code);
                                }
                            }
                            else
                            {
                                Withhold(line, batch.Stats[i]);
                            }

                            break;
                    }

                    // Statistics see the value as written, before a formula-like one is neutralised.
                    batch.Stats[i].Add(line.Value(line.Count - 1), parsed);
                }

                if (coverageIndex is { } ci && ShareValues.TryParseDate(input.Field(r, ci), out var eventDate))
                {
                    batch.Coverage.Add(eventDate);
                }

                ShareCsvWriter.AppendRow(batch.Text, line).Append('\n');
                batch.Sink?.Row(line);
            }

            return batch;
        }

        /// <summary>The batch's pseudonyms, column by column (each column's values together, so they share the SIMD
        /// lanes of <see cref="Pseudonymiser.PseudonymiseMany"/>); counts the rows without a person id.</summary>
        private string[][] PseudonymiseColumns(Batch batch)
        {
            var input = batch.Input;
            var (columns, values) = batch.PseudonymBuffers(_slots.Count, input.Count);
            if (personIds is not null)
            {
                for (var r = 0; r < input.Count; r++)
                {
                    if (!personIds.TryGetPersonId(new RecordKey(dataset, input.RowId(r)), out values[r]))
                    {
                        values[r] = string.Empty; // missing stays missing
                        batch.MissingPerson++;
                    }
                }

                pseudonymiser.PseudonymiseMany(Pseudonymiser.PersonDomain, values.AsSpan(0, input.Count), columns[0]);
            }

            pseudonymiser.PseudonymiseMany(idDomain, input.RowIds, columns[_slots.RowId]);
            for (var i = 0; i < plans.Count; i++)
            {
                if (_slots.Plans[i] >= 0)
                {
                    pseudonymiser.PseudonymiseMany(plans[i].Domain!, new FieldValues(input, plans[i].Index), columns[_slots.Plans[i]]);
                }
            }

            return columns;
        }

        private static (int RowId, int[] Plans, int Count) SlotsOf(IReadOnlyList<ColumnPlan> plans, bool personIds)
        {
            var next = personIds ? 1 : 0;
            var rowId = next++;
            var slots = new int[plans.Count];
            for (var i = 0; i < plans.Count; i++)
            {
                slots[i] = plans[i].Kind == PlanKind.Pseudonym ? next++ : -1;
            }

            return (rowId, slots, next);
        }
    }

    /// <summary>One batch: its input rows, then their share lines, statistics, counts and sink part.</summary>
    private sealed class Batch(int width, int[] columnsRead, int columns)
    {
        /// <summary>The event dates' range (a field: <see cref="Extremes{T}"/> is a mutable struct).</summary>
        public Extremes<DateOnly> Coverage;

        public InputRows Input { get; } = new(columnsRead, columns);

        public StringBuilder Text { get; } = new();

        /// <summary>The cells of the row being written.</summary>
        public ShareLine Line { get; } = new(width);

        private string[][] _pseudonyms = [];
        private string[] _values = [];

        /// <summary>Room for <paramref name="columns"/> columns of pseudonyms of <paramref name="rows"/> rows, and for
        /// one column of the values they are made from (kept for the batch's next use).</summary>
        public (string[][] Pseudonyms, string[] Values) PseudonymBuffers(int columns, int rows)
        {
            if (_pseudonyms.Length != columns || _values.Length < rows)
            {
                _pseudonyms = Enumerable.Range(0, columns).Select(_ => new string[rows]).ToArray();
                _values = new string[rows];
            }

            return (_pseudonyms, _values);
        }

        public IShareRowSink? Sink { get; private set; }

        public VariableAccumulator[] Stats { get; private set; } = [];

        public long MissingPerson { get; set; }

        /// <summary>Clears what an earlier use of this batch produced (not its input).</summary>
        public void Start(IReadOnlyList<ColumnPlan> plans, IShareRowSink? sink)
        {
            Text.Clear();
            Sink = sink;
            Stats = plans.Select(p => new VariableAccumulator(p)).ToArray();
            MissingPerson = 0;
            Coverage = default;
        }

        /// <summary>Empties the batch for the next rows.</summary>
        public Batch Reset()
        {
            Input.Clear();
            Sink = null;
            return this;
        }
    }

    /// <summary>
    /// A batch's extract rows as the characters of the fields the share reads, back to back, with each row's id (trimmed):
    /// copied from the reader's row as it is read, so no field becomes a string.
    /// </summary>
    private sealed class InputRows
    {
        private readonly int[] _slotOf; // column -> its place among the fields read, -1 if not read
        private readonly List<string> _rowIds = [];
        private readonly int[] _read;
        private char[] _chars = new char[4096];
        private int[] _bounds = new int[256]; // per row, per field read: start, length
        private int _charCount;

        public InputRows(int[] columnsRead, int columns)
        {
            _read = columnsRead;
            _slotOf = Enumerable.Repeat(-1, columns).ToArray();
            for (var k = 0; k < columnsRead.Length; k++)
            {
                _slotOf[columnsRead[k]] = k;
            }
        }

        public int Count => _rowIds.Count;

        public ReadOnlySpan<string> RowIds => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rowIds);

        public string RowId(int row) => _rowIds[row];

        /// <summary>Field <paramref name="column"/> of row <paramref name="row"/>, untrimmed.</summary>
        public ReadOnlySpan<char> Field(int row, int column)
        {
            var (start, length) = Bounds(row, column);
            return _chars.AsSpan(start, length);
        }

        /// <summary>Field <paramref name="column"/> of row <paramref name="row"/>: where its characters are in <see cref="Chars"/>.</summary>
        public (int Start, int Length) Bounds(int row, int column)
        {
            var at = 2 * ((row * _read.Length) + _slotOf[column]);
            return (_bounds[at], _bounds[at + 1]);
        }

        public char[] Chars => _chars;

        public void Add(CsvRow row, string rowId)
        {
            var at = 2 * _rowIds.Count * _read.Length;
            if (_bounds.Length < at + (2 * _read.Length))
            {
                Array.Resize(ref _bounds, Math.Max(_bounds.Length * 2, at + (2 * _read.Length)));
            }

            foreach (var column in _read)
            {
                var field = row.Span(column);
                if (_chars.Length - _charCount < field.Length)
                {
                    Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + field.Length));
                }

                field.CopyTo(_chars.AsSpan(_charCount));
                _bounds[at++] = _charCount;
                _bounds[at++] = field.Length;
                _charCount += field.Length;
            }

            _rowIds.Add(rowId);
        }

        public void Clear()
        {
            _rowIds.Clear();
            _charCount = 0;
        }
    }

    /// <summary>One column of a batch's fields, for <see cref="Pseudonymiser.PseudonymiseMany{TValues}"/>.</summary>
    private readonly ref struct FieldValues(InputRows rows, int column) : IValueSpans
    {
        private readonly InputRows _rows = rows;
        private readonly int _column = column;

        public int Count => _rows.Count;

        public ReadOnlySpan<char> this[int index] => _rows.Field(index, _column);
    }

    /// <summary>
    /// The cells of one share line as written: strings (pseudonyms), or characters of the batch's fields or of the line's
    /// own formatted dates and ages. Read as spans for the CSV text; a sink that indexes a cell gets a string of it.
    /// </summary>
    private sealed class ShareLine(int width) : IReadOnlyList<string>, ISpanCells
    {
        private readonly string?[] _strings = new string?[width];
        private readonly char[]?[] _sources = new char[]?[width]; // null: the line's own characters
        private readonly int[] _starts = new int[width];
        private readonly int[] _lengths = new int[width];
        private readonly bool[] _neutralised = new bool[width];
        private char[] _own = new char[16 * width];
        private int _ownCount;

        public int Count { get; private set; }

        public string this[int index] =>
            _strings[index] ?? (_neutralised[index] ? "'" + new string(Value(index)) : new string(Value(index)));

        /// <summary>Cell <paramref name="index"/> as written (with the apostrophe of a neutralised value).</summary>
        public ReadOnlySpan<char> Span(int index) =>
            _neutralised[index] ? this[index] : Value(index);

        /// <summary>Cell <paramref name="index"/>'s value before formula neutralising.</summary>
        public ReadOnlySpan<char> Value(int index) =>
            _strings[index] ?? (ReadOnlySpan<char>)(_sources[index] ?? _own).AsSpan(_starts[index], _lengths[index]);

        public void Clear()
        {
            Count = 0;
            _ownCount = 0;
        }

        /// <summary>A pseudonym or an empty cell (never formula-like).</summary>
        public void Add(string value)
        {
            _strings[Count] = value;
            _neutralised[Count++] = false;
        }

        /// <summary>A field of the batch, trimmed.</summary>
        public void AddField(InputRows rows, int row, int column, bool numeric)
        {
            var (start, length) = rows.Bounds(row, column);
            var field = rows.Chars.AsSpan(start, length);
            var trimmed = field.Trim();
            Set(rows.Chars, start + (field.Length - field.TrimStart().Length), trimmed.Length, ShareCsvWriter.NeedsNeutralising(trimmed, numeric));
        }

        public void AddDate(DateOnly date)
        {
            ShareValues.WriteDate(date, Own(ShareValues.DateChars));
            Set(null, _ownCount - ShareValues.DateChars, ShareValues.DateChars, false);
        }

        public void AddAge(int age)
        {
            age.TryFormat(Own(11), out var written, default, CultureInfo.InvariantCulture);
            _ownCount -= 11 - written;
            Set(null, _ownCount - written, written, false); // a plain number in a numeric column
        }

        private Span<char> Own(int length)
        {
            if (_own.Length - _ownCount < length)
            {
                Array.Resize(ref _own, Math.Max(_own.Length * 2, _ownCount + length));
            }

            _ownCount += length;
            return _own.AsSpan(_ownCount - length, length);
        }

        private void Set(char[]? source, int start, int length, bool neutralised)
        {
            _strings[Count] = null;
            _sources[Count] = source;
            _starts[Count] = start;
            _lengths[Count] = length;
            _neutralised[Count++] = neutralised;
        }

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The smallest and largest of the values added; null before the first. A mutable struct: keep it in a field.</summary>
    private struct Extremes<T>
        where T : struct, IComparable<T>
    {
        public T? Min { get; private set; }

        public T? Max { get; private set; }

        public void Add(T value)
        {
            if (Min is not { } min || value.CompareTo(min) < 0)
            {
                Min = value;
            }

            if (Max is not { } max || value.CompareTo(max) > 0)
            {
                Max = value;
            }
        }

        /// <summary>Adds the values another range saw.</summary>
        public void Add(Extremes<T> other)
        {
            if (other.Min is { } min)
            {
                Add(min);
                Add(other.Max!.Value);
            }
        }
    }

    private enum PlanKind
    {
        Copy,
        Date,
        Pseudonym,
        Age,
    }

    private sealed record ColumnPlan(string Name, ColumnProfile? Column, int Index, PlanKind Kind, string? Domain)
    {
        /// <summary>For a copied variable of a checked type: the values it may hold (others are withheld).</summary>
        public ShareValueCheck? Check { get; init; }

        public bool Numeric => Kind == PlanKind.Age || Column?.Type is ColumnType.Integer or ColumnType.Decimal;

        public string TypeName => Kind switch
        {
            PlanKind.Age => "integer",
            PlanKind.Pseudonym => "pseudonym",
            _ => Column!.Type switch
            {
                ColumnType.Integer => "integer",
                ColumnType.Decimal => "number",
                ColumnType.Date => "date",
                ColumnType.Boolean => "boolean",
                ColumnType.Categorical => "categorical",
                _ => "string",
            },
        };

        /// <summary>Only coded variables have their values listed; free text and ids never are.</summary>
        public bool ListValues => Kind is PlanKind.Copy && Column!.Type is ColumnType.Categorical or ColumnType.Boolean;
    }

    private sealed class VariableAccumulator(ColumnPlan plan)
    {
        /// <summary>The first <see cref="MaxListedValues"/> distinct values, as a set and in the order first seen (so
        /// batches merged in file order keep the same values as one pass over the file).</summary>
        private readonly HashSet<string> _values = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private long _missing;
        private long _present;
        private long _withheld;
        private bool _valuesTruncated;
        private Extremes<decimal> _numbers;
        private Extremes<DateOnly> _dates;

        /// <param name="value">The value as written to the share.</param>
        /// <param name="date">A date variable's value as parsed already (null when it is not a date).</param>
        public void Add(ReadOnlySpan<char> value, DateOnly? date)
        {
            if (value.IsWhiteSpace())
            {
                _missing++;
                return;
            }

            _present++;
            if (plan.ListValues)
            {
                List(value);
            }

            if (plan.Numeric && decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
            {
                _numbers.Add(number);
            }
            else if (plan.Kind == PlanKind.Date && date is { } d)
            {
                _dates.Add(d);
            }
        }

        /// <summary>Counts a value withheld as not valid for the variable (its blank cell is then added as missing).</summary>
        public void Withhold() => _withheld++;

        /// <summary>Adds the statistics of the rows that follow this accumulator's rows.</summary>
        public void Merge(VariableAccumulator next)
        {
            _withheld += next._withheld;
            _missing += next._missing;
            _present += next._present;
            foreach (var value in next._order)
            {
                List(value);
            }

            _valuesTruncated |= next._valuesTruncated;
            _numbers.Add(next._numbers);
            _dates.Add(next._dates);
        }

        /// <summary>Lists a value (a string is made only of a value not listed yet).</summary>
        private void List(ReadOnlySpan<char> value)
        {
            if (_values.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
            {
                return;
            }

            if (_values.Count < MaxListedValues)
            {
                var listed = new string(value);
                _values.Add(listed);
                _order.Add(listed);
            }
            else
            {
                _valuesTruncated = true;
            }
        }

        public VariableStats ToStats()
        {
            var total = _missing + _present;
            IReadOnlyList<CodedValue>? values = null;
            if (plan.ListValues)
            {
                var codes = plan.Column!.Codes ?? new Dictionary<string, string>();
                var all = new SortedSet<string>(codes.Keys, StringComparer.Ordinal);
                all.UnionWith(_values);
                values = all.Select(v => new CodedValue(v, codes.TryGetValue(v, out var label) ? label : null, _values.Contains(v))).ToList();
            }

            var description = plan.Kind == PlanKind.Age
                ? "Age in whole years at the event date, derived from the date of birth (which is not shared)."
                : plan.Column!.Description + (plan.Kind == PlanKind.Pseudonym ? " Replaced by a keyed pseudonym (HMAC-SHA256) specific to this share." : string.Empty);
            return new VariableStats(
                Name: plan.Name,
                Type: plan.TypeName,
                Description: description,
                Rows: total,
                Missing: _missing,
                PercentMissing: total == 0 ? 0 : Math.Round(100.0 * _missing / total, 2),
                Minimum: _dates.Min is { } a ? ShareValues.FormatDate(a) : _numbers.Min?.ToString(CultureInfo.InvariantCulture),
                Maximum: _dates.Max is { } b ? ShareValues.FormatDate(b) : _numbers.Max?.ToString(CultureInfo.InvariantCulture),
                Values: values,
                ValuesTruncated: _valuesTruncated,
                Withheld: _withheld);
        }
    }
}

/// <summary>What <see cref="ShareDatasetWriter"/> wrote: counts, coverage and per-variable statistics.</summary>
public sealed record ShareDatasetResult(
    string Dataset,
    bool PersonLevel,
    long RowsRead,
    long RowsWritten,
    long DuplicateRowsRemoved,
    long RowsWithoutPersonId,
    DateOnly? CoverageFrom,
    DateOnly? CoverageTo,
    IReadOnlyList<string> Columns,
    IReadOnlyList<VariableStats> Variables)
{
    /// <summary>Rows of the extract that ingest rejected (quarantined) before this writer read it; set by the pipeline.</summary>
    public long? RowsRejectedAtIngest { get; init; }
}

/// <summary>A shared variable's statistics; values are listed only for coded (categorical/boolean) variables. <see cref="Withheld"/>: values
/// the variable's type or code list does not allow, left blank in the share (and counted in <see cref="Missing"/>).</summary>
public sealed record VariableStats(
    string Name,
    string Type,
    string Description,
    long Rows,
    long Missing,
    double PercentMissing,
    string? Minimum,
    string? Maximum,
    IReadOnlyList<CodedValue>? Values,
    bool ValuesTruncated,
    long Withheld = 0);

/// <summary>A possible value with its code lookup label; <see cref="Observed"/> false for codes listed in the profile but absent in the data.</summary>
public sealed record CodedValue(string Code, string? Label, bool Observed);

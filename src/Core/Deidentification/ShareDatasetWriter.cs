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
            plans.Add(new ColumnPlan(column.Name, column, index, kind, kind == PlanKind.Pseudonym ? spec.IdDomainFor(profile, column.Name) : null));
        }

        int? coverageIndex = profile.EventDateColumn is { } ev ? header.IndexOf(ev) : null;

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

        var rows = new RowPlan(profile.Name, plans, personLevel ? personIds : null, idDomain, idIndex, dobIndex, eventIndex, coverageIndex, pseudonymiser, sink);
        var stats = plans.Select(p => new VariableAccumulator(p)).ToArray();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        long read = 0, duplicates = 0, written = 0, missingPerson = 0;
        var coverage = default(Extremes<DateOnly>);

        // Rows are read, checked and de-duplicated here in file order; batches of them are turned into share lines
        // on the thread pool; the lines are written, counted and seen by the sink here, in file order again. The output
        // and the statistics are the same whatever the batch size or the parallelism.
        var pending = new Queue<Task<Batch>>();
        var maxInFlight = Math.Max(1, parallelism);
        var spare = new Stack<Batch>(); // written batches, reused: their buffers stay out of the large-object heap's churn
        var batch = new Batch(outHeader.Count);
        try
        {
            while (await csv.ReadRowAsync(cancellationToken).ConfigureAwait(false) is { } row)
            {
                read++;
                if (row.Length != header.Names.Count)
                {
                    throw new DeidentificationException($"{source}: line {csv.LineNumber} has {row.Length} fields but the header has {header.Names.Count}; fix or quarantine the row at ingest.");
                }

                var rowId = row[idIndex].Trim();
                if (rowId.Length == 0)
                {
                    throw new DeidentificationException($"{source}: line {csv.LineNumber} has an empty '{profile.UniqueIdColumn}'; every row needs its unique id.");
                }

                if (!seenIds.Add(rowId))
                {
                    duplicates++;
                    continue;
                }

                batch.Input.Add(row);
                if (batch.Input.Count == batchRows)
                {
                    var full = batch;
                    pending.Enqueue(Task.Run(() => rows.Process(full), cancellationToken));
                    batch = spare.TryPop(out var reused) ? reused : new Batch(outHeader.Count);
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
            RowsRead: read,
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
        int idIndex,
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

        /// <summary>Fills <paramref name="batch"/>'s lines, cells, statistics and counts from its input rows.</summary>
        public Batch Process(Batch batch)
        {
            batch.Start(plans, sink?.Part());
            var pseudonyms = PseudonymiseColumns(batch);
            var cells = batch.Line;
            for (var r = 0; r < batch.Input.Count; r++)
            {
                var row = batch.Input[r];
                var c = 0;
                if (personIds is not null)
                {
                    cells[c++] = pseudonyms[0][r];
                }

                cells[c++] = pseudonyms[_slots.RowId][r];
                for (var i = 0; i < plans.Count; i++)
                {
                    var plan = plans[i];
                    string value;
                    DateOnly? parsed = null;
                    switch (plan.Kind)
                    {
                        case PlanKind.Age:
                            value = ShareValues.TryParseDate(row[dobIndex!.Value], out var dob) && ShareValues.TryParseDate(row[eventIndex!.Value], out var at)
                                && ShareValues.AgeInYears(dob, at) is { } age
                                ? age.ToString(CultureInfo.InvariantCulture)
                                : string.Empty;
                            break;
                        case PlanKind.Pseudonym:
                            value = pseudonyms[_slots.Plans[i]][r];
                            break;
                        case PlanKind.Date:
                            if (ShareValues.TryParseDate(row[plan.Index], out var date))
                            {
                                parsed = date;
                                value = ShareValues.FormatDate(date);
                            }
                            else
                            {
                                value = row[plan.Index].Trim();
                            }

                            break;
                        default:
                            value = row[plan.Index].Trim();
                            break;
                    }

                    batch.Stats[i].Add(value, parsed);
                    cells[c++] = ShareCsvWriter.Neutralise(value, plan.Numeric);
                }

                if (coverageIndex is { } ci && ShareValues.TryParseDate(row[ci], out var eventDate))
                {
                    batch.Coverage.Add(eventDate);
                }

                ShareCsvWriter.AppendRow(batch.Text, cells).Append('\n');
                batch.Sink?.Row(cells);
            }

            return batch;
        }

        /// <summary>The batch's pseudonyms, column by column (each column's values together, so they share the SIMD
        /// lanes of <see cref="Pseudonymiser.PseudonymiseMany"/>); counts the rows without a person id.</summary>
        private string[][] PseudonymiseColumns(Batch batch)
        {
            var rows = batch.Input;
            var (columns, values) = batch.PseudonymBuffers(_slots.Count, rows.Count);
            if (personIds is not null)
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    if (!personIds.TryGetPersonId(new RecordKey(dataset, rows[r][idIndex].Trim()), out values[r]))
                    {
                        values[r] = string.Empty; // missing stays missing
                        batch.MissingPerson++;
                    }
                }

                pseudonymiser.PseudonymiseMany(Pseudonymiser.PersonDomain, values.AsSpan(0, rows.Count), columns[0]);
            }

            Pseudonymise(idDomain, idIndex, columns[_slots.RowId]);
            for (var i = 0; i < plans.Count; i++)
            {
                if (_slots.Plans[i] >= 0)
                {
                    Pseudonymise(plans[i].Domain!, plans[i].Index, columns[_slots.Plans[i]]);
                }
            }

            return columns;

            void Pseudonymise(string domain, int index, string[] into)
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    values[r] = rows[r][index];
                }

                pseudonymiser.PseudonymiseMany(domain, values.AsSpan(0, rows.Count), into);
            }
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
    private sealed class Batch(int width)
    {
        /// <summary>The event dates' range (a field: <see cref="Extremes{T}"/> is a mutable struct).</summary>
        public Extremes<DateOnly> Coverage;

        public List<string[]> Input { get; } = [];

        public StringBuilder Text { get; } = new();

        /// <summary>The cells of the row being written.</summary>
        public string[] Line { get; } = new string[width];

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
        private bool _valuesTruncated;
        private Extremes<decimal> _numbers;
        private Extremes<DateOnly> _dates;

        /// <param name="value">The value as written to the share.</param>
        /// <param name="date">A date variable's value as parsed already (null when it is not a date).</param>
        public void Add(string value, DateOnly? date)
        {
            if (ShareValues.IsMissing(value))
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

        /// <summary>Adds the statistics of the rows that follow this accumulator's rows.</summary>
        public void Merge(VariableAccumulator next)
        {
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

        private void List(string value)
        {
            if (_values.Count < MaxListedValues)
            {
                if (_values.Add(value))
                {
                    _order.Add(value);
                }
            }
            else if (!_values.Contains(value))
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
                ValuesTruncated: _valuesTruncated);
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
    IReadOnlyList<VariableStats> Variables);

/// <summary>A shared variable's statistics; values are listed only for coded (categorical/boolean) variables.</summary>
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
    bool ValuesTruncated);

/// <summary>A possible value with its code lookup label; <see cref="Observed"/> false for codes listed in the profile but absent in the data.</summary>
public sealed record CodedValue(string Code, string? Label, bool Observed);

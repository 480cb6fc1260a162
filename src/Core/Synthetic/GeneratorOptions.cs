namespace DataFirst.Core.Synthetic;

/// <summary>Everything that shapes a synthetic run. The same options and seed give byte-identical output.</summary>
public sealed record GeneratorOptions
{
    /// <summary>People in the simulated population (not all of them reach a dataset).</summary>
    public int People { get; init; } = 1000;

    public int Seed { get; init; } = 42;

    /// <summary>Datasets to write (names from <see cref="ExtractGenerator.AllDatasets"/>); null or empty means all.</summary>
    public IReadOnlyList<string>? Datasets { get; init; }

    /// <summary>Identity noise per source; a source not listed uses <see cref="SourceNoise.DefaultFor"/>.</summary>
    public IReadOnlyDictionary<string, SourceNoise>? Noise { get; init; }

    /// <summary>Multiplies every noise rate (0 = clean extracts, 2 = twice as dirty). Applied after <see cref="Noise"/>.</summary>
    public double NoiseScale { get; init; } = 1.0;

    public BadInputOptions BadInput { get; init; } = BadInputOptions.None;

    /// <summary>Write the ground truth (truth/persons.csv, case_links.csv, identity_errors.csv, bad_rows.csv).</summary>
    public bool WriteTruth { get; init; } = true;

    /// <summary>
    /// Rows are shuffled within windows of this many rows per file, so that a file is not ordered
    /// person by person (row ids follow file order). 1 keeps simulation order. Memory grows with it.
    /// </summary>
    public int RowOrderWindow { get; init; } = 2048;

    /// <summary>Receives the number of people simulated so far, now and then and at the end.</summary>
    public IProgress<int>? Progress { get; init; }

    /// <summary>Profiles to shape the extracts; null means the built-in ones.</summary>
    public Profiles.ProfileCatalog? Profiles { get; init; }

    /// <summary>The noise applied to records of <paramref name="source"/> (a person-level dataset name).</summary>
    public SourceNoise NoiseFor(string source)
    {
        var noise = Noise is not null && Noise.TryGetValue(source, out var configured) ? configured : SourceNoise.DefaultFor(source);
        return NoiseScale == 1.0 ? noise : noise.Scale(NoiseScale);
    }
}

/// <summary>
/// Per-record probabilities of each kind of identity error in one source system. Each applies
/// independently; a kind that cannot apply to a record (no nickname for the name, no previous
/// surname, no middle name) leaves it unchanged.
/// </summary>
public sealed record SourceNoise
{
    /// <summary>One character of the forenames or surname substituted, inserted or deleted.</summary>
    public double NameTypo { get; init; }

    /// <summary>Two adjacent characters of the forenames or surname swapped.</summary>
    public double NameTransposition { get; init; }

    /// <summary>First forename recorded as a nickname / diminutive (William → Bill).</summary>
    public double Nickname { get; init; }

    /// <summary>Middle name(s) left out.</summary>
    public double MiddleNameDropped { get; init; }

    /// <summary>A previous surname (e.g. before marriage) recorded instead of the current one, for people who have one.</summary>
    public double PreviousSurname { get; init; }

    /// <summary>A different name altogether (the person's alias: same alias each time for one person).</summary>
    public double Alias { get; init; }

    /// <summary>Forenames and surname entered in each other's fields.</summary>
    public double NameSwap { get; init; }

    /// <summary>Day and month of the date of birth swapped (when the swap is a valid date; otherwise a mistype).</summary>
    public double DobDayMonthSwap { get; init; }

    /// <summary>Date of birth mistyped: one digit of the day, month or year wrong.</summary>
    public double DobMistype { get; init; }

    /// <summary>Address and postcode of another (previous or later) home.</summary>
    public double StaleAddress { get; init; }

    /// <summary>One character of the postcode wrong.</summary>
    public double PostcodeTypo { get; init; }

    public double MissingForenames { get; init; }

    public double MissingDob { get; init; }

    public double MissingAddress { get; init; }

    public double MissingPostcode { get; init; }

    public double MissingSex { get; init; }

    public static SourceNoise None { get; } = new();

    /// <summary>
    /// Realistic defaults: 5–15% of records carry some error in the linking fields (names, date of
    /// birth), more in addresses; sources differ (police-keyed court data is noisier than prison data).
    /// </summary>
    public static SourceNoise DefaultFor(string source) => source switch
    {
        "magistrates" => new()
        {
            NameTypo = 0.02, NameTransposition = 0.005, Nickname = 0.02, MiddleNameDropped = 0.04, PreviousSurname = 0.2,
            Alias = 0.01, NameSwap = 0.005, DobDayMonthSwap = 0.005, DobMistype = 0.01, StaleAddress = 0.04,
            PostcodeTypo = 0.01, MissingForenames = 0.002, MissingDob = 0.01, MissingAddress = 0.03, MissingPostcode = 0.05, MissingSex = 0.01,
        },
        "crown_court" => new()
        {
            NameTypo = 0.01, NameTransposition = 0.003, Nickname = 0.01, MiddleNameDropped = 0.03, PreviousSurname = 0.25,
            Alias = 0.01, NameSwap = 0.002, DobDayMonthSwap = 0.003, DobMistype = 0.005, StaleAddress = 0.05,
            PostcodeTypo = 0.005, MissingForenames = 0.001, MissingDob = 0.005, MissingAddress = 0.04, MissingPostcode = 0.06, MissingSex = 0.005,
        },
        "prisons" => new()
        {
            NameTypo = 0.01, NameTransposition = 0.003, Nickname = 0.005, MiddleNameDropped = 0.02, PreviousSurname = 0.2,
            Alias = 0.03, NameSwap = 0.002, DobDayMonthSwap = 0.002, DobMistype = 0.004, StaleAddress = 0.08,
            PostcodeTypo = 0.01, MissingForenames = 0.0, MissingDob = 0.001, MissingAddress = 0.1, MissingPostcode = 0.12, MissingSex = 0.0,
        },
        "probation" => new()
        {
            NameTypo = 0.01, NameTransposition = 0.003, Nickname = 0.015, MiddleNameDropped = 0.04, PreviousSurname = 0.2,
            Alias = 0.01, NameSwap = 0.002, DobDayMonthSwap = 0.003, DobMistype = 0.005, StaleAddress = 0.06,
            PostcodeTypo = 0.008, MissingForenames = 0.001, MissingDob = 0.003, MissingAddress = 0.03, MissingPostcode = 0.04, MissingSex = 0.002,
        },
        "family_people" => new()
        {
            NameTypo = 0.02, NameTransposition = 0.005, Nickname = 0.03, MiddleNameDropped = 0.04, PreviousSurname = 0.2,
            Alias = 0.0, NameSwap = 0.004, DobDayMonthSwap = 0.005, DobMistype = 0.01, StaleAddress = 0.06,
            PostcodeTypo = 0.012, MissingForenames = 0.003, MissingDob = 0.015, MissingAddress = 0.06, MissingPostcode = 0.08, MissingSex = 0.02,
        },
        _ => None,
    };

    public SourceNoise Scale(double factor)
    {
        double S(double rate) => Math.Clamp(rate * factor, 0, 1);
        return new SourceNoise
        {
            NameTypo = S(NameTypo), NameTransposition = S(NameTransposition), Nickname = S(Nickname), MiddleNameDropped = S(MiddleNameDropped),
            PreviousSurname = S(PreviousSurname), Alias = S(Alias), NameSwap = S(NameSwap), DobDayMonthSwap = S(DobDayMonthSwap),
            DobMistype = S(DobMistype), StaleAddress = S(StaleAddress), PostcodeTypo = S(PostcodeTypo), MissingForenames = S(MissingForenames),
            MissingDob = S(MissingDob), MissingAddress = S(MissingAddress), MissingPostcode = S(MissingPostcode), MissingSex = S(MissingSex),
        };
    }
}

/// <summary>The text encoding an extract file is written in (wrong ones are for ingest tests).</summary>
public enum ExtractEncoding
{
    Utf8,
    Utf8WithBom,
    Latin1,
    Utf16,
}

/// <summary>Deliberately bad input, for testing ingest validation and quarantine.</summary>
public sealed record BadInputOptions
{
    public static BadInputOptions None { get; } = new();

    /// <summary>Probability that a row is written malformed (a field missing, an extra field, or a stray quote).</summary>
    public double MalformedRowRate { get; init; }

    /// <summary>Datasets to write in another encoding than UTF-8.</summary>
    public IReadOnlyDictionary<string, ExtractEncoding>? Encodings { get; init; }

    /// <summary>Columns to leave out of a dataset's file: dataset → column names.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MissingColumns { get; init; }

    public bool Any => MalformedRowRate > 0 || Encodings is { Count: > 0 } || MissingColumns is { Count: > 0 };
}

/// <summary>What a run produced.</summary>
public sealed record GenerationSummary(
    int People,
    int Households,
    IReadOnlyDictionary<string, long> RowsPerDataset,
    long TruthRows,
    long MalformedRows,
    TimeSpan Elapsed)
{
    public long TotalRows => RowsPerDataset.Values.Sum();

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? TotalRows / Elapsed.TotalSeconds : 0;
}

/// <summary>Generated files held in memory, by relative path (<c>magistrates.csv</c>, <c>truth/persons.csv</c>).</summary>
public sealed record GeneratedFiles(IReadOnlyDictionary<string, byte[]> Files, GenerationSummary Summary)
{
    /// <summary>The bytes of one dataset's extract, e.g. <c>Extract("magistrates")</c>.</summary>
    public byte[] Extract(string dataset) =>
        Files.TryGetValue(ExtractGenerator.FileName(dataset), out var bytes)
            ? bytes
            : throw new KeyNotFoundException($"Dataset '{dataset}' was not generated; include it in GeneratorOptions.Datasets.");

    public Stream Open(string path) => new MemoryStream(Files[path], writable: false);
}

using System.Diagnostics;
using DataFirst.Core.Profiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Core.Synthetic;

/// <summary>
/// Writes synthetic justice extracts (magistrates, Crown Court, prisons, probation, family court)
/// from one simulated population, plus the ground truth, streaming: memory does not grow with the
/// number of people. The same <see cref="GeneratorOptions"/> give byte-identical files.
/// </summary>
public sealed partial class ExtractGenerator(ILogger<ExtractGenerator>? logger = null)
{
    public const string Magistrates = "magistrates";
    public const string CrownCourt = "crown_court";
    public const string Prisons = "prisons";
    public const string Probation = "probation";
    public const string ProbationRequirements = "probation_requirements";
    public const string ProbationLicenceConditions = "probation_licence_conditions";
    public const string ProbationPss = "probation_pss";
    public const string ProbationPsr = "probation_psr";
    public const string FamilyPeople = "family_people";
    public const string FamilyCases = "family_cases";
    public const string FamilyEvents = "family_events";

    /// <summary>Ground-truth file paths, relative to the output folder.</summary>
    public const string TruthPersonsPath = "truth/persons.csv";
    public const string TruthCaseLinksPath = "truth/case_links.csv";
    public const string TruthBadRowsPath = "truth/bad_rows.csv";
    public const string TruthIdentityErrorsPath = "truth/identity_errors.csv";

    private readonly ILogger _logger = logger ?? NullLogger<ExtractGenerator>.Instance;

    public static IReadOnlyList<string> AllDatasets { get; } =
    [
        Magistrates, CrownCourt, Prisons, Probation, ProbationRequirements, ProbationLicenceConditions, ProbationPss, ProbationPsr,
        FamilyPeople, FamilyCases, FamilyEvents,
    ];

    /// <summary>Datasets with person identifiers: the ones person linkage reads.</summary>
    public static IReadOnlyList<string> PersonLevelDatasets { get; } = [Magistrates, CrownCourt, Prisons, Probation, FamilyPeople];

    /// <summary>The extract file name of a dataset.</summary>
    public static string FileName(string dataset) => dataset + ".csv";

    /// <summary>Writes the extracts as <c>{dataset}.csv</c> and the truth under <c>truth/</c> in <paramref name="outputDirectory"/>.</summary>
    public Task<GenerationSummary> GenerateAsync(GeneratorOptions options, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        return GenerateAsync(
            options,
            relativePath =>
            {
                var full = Path.Combine(outputDirectory, relativePath.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                return new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            },
            cancellationToken);
    }

    /// <summary>
    /// Writes every file through <paramref name="openWrite"/> (given a relative path such as
    /// <c>magistrates.csv</c> or <c>truth/persons.csv</c>; the generator disposes the stream).
    /// </summary>
    public async Task<GenerationSummary> GenerateAsync(GeneratorOptions options, Func<string, Stream> openWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openWrite);
        Validate(options);
        var stopwatch = Stopwatch.StartNew();
        var profiles = options.Profiles ?? ProfileCatalog.LoadBuiltIn();
        Log.Starting(_logger, options.People, options.Seed);

        // The simulation is CPU-bound and synchronous; run it off the caller's thread.
        await Task.Yield();
        using var simulation = new Simulation(options, profiles, openWrite);
        var result = simulation.Run(cancellationToken);
        stopwatch.Stop();
        var summary = result with { Elapsed = stopwatch.Elapsed };
        Log.Finished(_logger, summary.TotalRows, summary.People, stopwatch.ElapsedMilliseconds);
        return summary;
    }

    /// <summary>
    /// Generates into memory: handy for tests and benchmarks of small populations (the whole output
    /// is held, so use the streaming overloads for large runs).
    /// </summary>
    public async Task<GeneratedFiles> GenerateToMemoryAsync(GeneratorOptions options, CancellationToken cancellationToken)
    {
        var streams = new SortedDictionary<string, MemoryStream>(StringComparer.Ordinal);
        var summary = await GenerateAsync(
            options,
            path =>
            {
                var stream = new MemoryStream();
                streams.Add(path, stream);
                return stream;
            },
            cancellationToken);
        return new GeneratedFiles(streams.ToDictionary(s => s.Key, s => s.Value.ToArray(), StringComparer.Ordinal), summary);
    }

    private static void Validate(GeneratorOptions options)
    {
        if (options.People < 1)
        {
            throw new ArgumentException($"GeneratorOptions.People must be at least 1 (was {options.People}).", nameof(options));
        }

        if (options.NoiseScale < 0 || double.IsNaN(options.NoiseScale))
        {
            throw new ArgumentException("GeneratorOptions.NoiseScale must be 0 or more.", nameof(options));
        }

        if (options.RowOrderWindow < 1)
        {
            throw new ArgumentException($"GeneratorOptions.RowOrderWindow must be at least 1 (was {options.RowOrderWindow}).", nameof(options));
        }

        if (options.BadInput.MalformedRowRate is < 0 or > 1)
        {
            throw new ArgumentException("BadInputOptions.MalformedRowRate must be between 0 and 1.", nameof(options));
        }

        foreach (var dataset in options.Datasets ?? [])
        {
            if (!AllDatasets.Contains(dataset, StringComparer.Ordinal))
            {
                throw new ArgumentException($"GeneratorOptions.Datasets: unknown dataset '{dataset}'. Known: {string.Join(", ", AllDatasets)}.", nameof(options));
            }
        }

        foreach (var (source, noise) in options.Noise ?? new Dictionary<string, SourceNoise>())
        {
            if (!PersonLevelDatasets.Contains(source, StringComparer.Ordinal))
            {
                throw new ArgumentException($"GeneratorOptions.Noise: '{source}' is not a person-level dataset ({string.Join(", ", PersonLevelDatasets)}).", nameof(options));
            }

            var bad = typeof(SourceNoise).GetProperties().Where(p => p.PropertyType == typeof(double))
                .FirstOrDefault(p => (double)p.GetValue(noise)! is < 0 or > 1 or double.NaN);
            if (bad is not null)
            {
                throw new ArgumentException($"GeneratorOptions.Noise[{source}].{bad.Name} must be a probability between 0 and 1.", nameof(options));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Generating synthetic extracts for {People} people (seed {Seed})")]
        public static partial void Starting(ILogger logger, int people, int seed);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Generated {Rows} rows for {People} people in {ElapsedMs} ms")]
        public static partial void Finished(ILogger logger, long rows, int people, long elapsedMs);
    }
}

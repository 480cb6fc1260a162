using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Profiles;
using DataFirst.Core.Synthetic;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst generate`: synthetic extracts for all five systems from one population, plus ground truth.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var people = new Option<int>("--people") { Description = "People in the simulated population.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed and options give byte-identical files.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Folder for {dataset}.csv and truth/.", Required = true };
        var profile = new Option<string[]>("--profile")
        {
            Description = $"Dataset(s) to write (repeatable); default all: {string.Join(", ", ExtractGenerator.AllDatasets)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var profiles = new Option<string?>("--profiles") { Description = "Folder (or file) of profile JSON to use instead of the built-in profiles." };
        var noiseFile = new Option<string?>("--noise-file")
        {
            Description = "JSON of per-source noise rates, e.g. {\"magistrates\": {\"nameTypo\": 0.05}} (unlisted sources and rates: 0 for a listed source, defaults otherwise).",
        };
        var noise = new Option<double>("--noise-scale") { Description = "Multiply every identity-noise rate (0 = clean, 1 = realistic defaults).", DefaultValueFactory = _ => 1.0 };
        var malformed = new Option<double>("--malformed-rate") { Description = "Fraction of rows written malformed (for ingest tests).", DefaultValueFactory = _ => 0.0 };
        var encoding = new Option<string[]>("--encoding") { Description = "dataset=utf8|utf8bom|latin1|utf16: write a dataset in another encoding (repeatable).", AllowMultipleArgumentsPerToken = true };
        var drop = new Option<string[]>("--drop-column") { Description = "dataset.column: leave a column out of a file (repeatable).", AllowMultipleArgumentsPerToken = true };
        var noTruth = new Option<bool>("--no-truth") { Description = "Do not write the truth/ folder." };
        var command = new Command("generate", "Write synthetic magistrates', Crown Court, prison, probation and family court extracts from one simulated population, with the ground truth in truth/.")
        {
            people, seed, output, profile, profiles, noise, noiseFile, malformed, encoding, drop, noTruth,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var n = parse.GetValue(people);
            if (n < 1)
            {
                throw new CliUsageException($"--people: must be at least 1 (was {n}).");
            }

            var scale = parse.GetValue(noise);
            if (scale < 0 || double.IsNaN(scale))
            {
                throw new CliUsageException("--noise-scale: must be 0 or more.");
            }

            var rate = parse.GetValue(malformed);
            if (rate is < 0 or > 1)
            {
                throw new CliUsageException("--malformed-rate: must be between 0 and 1.");
            }

            var datasets = parse.GetValue(profile) ?? [];
            foreach (var d in datasets.Where(d => !ExtractGenerator.AllDatasets.Contains(d, StringComparer.Ordinal)))
            {
                throw new CliUsageException($"--profile: unknown dataset '{d}'. Use one of: {string.Join(", ", ExtractGenerator.AllDatasets)}.");
            }

            ProfileCatalog? catalog = null;
            if (parse.GetValue(profiles) is { } profilePath)
            {
                try
                {
                    catalog = ProfileCatalog.Load(Path.GetFullPath(profilePath));
                }
                catch (ProfileValidationException ex)
                {
                    throw new CliUsageException($"--profiles: {ex.Message}");
                }
            }

            var folder = CliPaths.EnsureWritableDirectory(parse.GetValue(output)!, "--out");
            var options = new GeneratorOptions
            {
                People = n,
                Seed = parse.GetValue(seed),
                Datasets = datasets.Length > 0 ? datasets : null,
                NoiseScale = scale,
                Noise = parse.GetValue(noiseFile) is { } noisePath ? ReadNoiseFile(noisePath) : null,
                WriteTruth = !parse.GetValue(noTruth),
                Profiles = catalog,
                Progress = n >= 200_000 ? new PercentProgress(stdout, n) : null,
                BadInput = new BadInputOptions
                {
                    MalformedRowRate = rate,
                    Encodings = ParseEncodings(parse.GetValue(encoding) ?? []),
                    MissingColumns = ParseDrops(parse.GetValue(drop) ?? []),
                },
            };

            stdout.WriteLine($"generate: {n.ToString("N0", CultureInfo.InvariantCulture)} people, seed {options.Seed} -> {folder}");
            GenerationSummary summary;
            try
            {
                summary = await new ExtractGenerator().GenerateAsync(options, folder, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new CliUsageException(ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal));
            }

            foreach (var (dataset, rows) in summary.RowsPerDataset)
            {
                stdout.WriteLine($"  {dataset,-30} {rows.ToString("N0", CultureInfo.InvariantCulture),12} rows");
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generate: {summary.TotalRows:N0} rows in {summary.Elapsed.TotalSeconds:F1} s ({summary.RowsPerSecond:N0} rows/s); truth: {summary.TruthRows:N0} person rows{(summary.MalformedRows > 0 ? $"; {summary.MalformedRows:N0} malformed rows" : string.Empty)}"));
            return CliApp.ExitOk;
        });
        return command;
    }

    private static Dictionary<string, SourceNoise> ReadNoiseFile(string path)
    {
        var full = CliPaths.RequireExistingFile(path, "--noise-file");
        Dictionary<string, SourceNoise>? noise;
        try
        {
            noise = JsonSerializer.Deserialize<Dictionary<string, SourceNoise>>(File.ReadAllText(full), NoiseJson);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"--noise-file: '{full}' at {ex.Path ?? "$"} (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}");
        }

        if (noise is null)
        {
            throw new CliUsageException($"--noise-file: '{full}' is empty; give an object of source -> rates.");
        }

        var result = new Dictionary<string, SourceNoise>(StringComparer.Ordinal);
        foreach (var (source, rates) in noise)
        {
            if (!ExtractGenerator.PersonLevelDatasets.Contains(source, StringComparer.Ordinal))
            {
                throw new CliUsageException($"--noise-file: '{source}' is not a person-level dataset; use {string.Join(", ", ExtractGenerator.PersonLevelDatasets)}.");
            }

            result[source] = rates ?? SourceNoise.None;
        }

        return result;
    }

    private static readonly JsonSerializerOptions NoiseJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Prints one line per tenth of the population simulated.</summary>
    private sealed class PercentProgress(TextWriter output, int total) : IProgress<int>
    {
        private int _lastTenth;

        public void Report(int value)
        {
            var tenth = (int)(10L * value / total);
            if (tenth > _lastTenth && tenth < 10)
            {
                _lastTenth = tenth;
                output.WriteLine($"  {tenth * 10}% ({value.ToString("N0", CultureInfo.InvariantCulture)} people)");
            }
        }
    }

    private static Dictionary<string, ExtractEncoding>? ParseEncodings(string[] values)
    {
        if (values.Length == 0)
        {
            return null;
        }

        var result = new Dictionary<string, ExtractEncoding>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var parts = value.Split('=', 2);
            var encoding = parts.Length == 2 ? parts[1].ToLowerInvariant() switch
            {
                "utf8" => ExtractEncoding.Utf8,
                "utf8bom" => ExtractEncoding.Utf8WithBom,
                "latin1" => ExtractEncoding.Latin1,
                "utf16" => ExtractEncoding.Utf16,
                _ => (ExtractEncoding?)null,
            } : null;
            if (encoding is null || !ExtractGenerator.AllDatasets.Contains(parts[0], StringComparer.Ordinal))
            {
                throw new CliUsageException($"--encoding: '{value}' should be dataset=utf8|utf8bom|latin1|utf16 with a known dataset.");
            }

            result[parts[0]] = encoding.Value;
        }

        return result;
    }

    private static Dictionary<string, IReadOnlyList<string>>? ParseDrops(string[] values)
    {
        if (values.Length == 0)
        {
            return null;
        }

        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var parts = value.Split('.', 2);
            if (parts.Length != 2 || parts[1].Length == 0 || !ExtractGenerator.AllDatasets.Contains(parts[0], StringComparer.Ordinal))
            {
                throw new CliUsageException($"--drop-column: '{value}' should be dataset.column with a known dataset.");
            }

            if (!result.TryGetValue(parts[0], out var list))
            {
                result[parts[0]] = list = [];
            }

            list.Add(parts[1]);
        }

        return result.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value, StringComparer.Ordinal);
    }
}

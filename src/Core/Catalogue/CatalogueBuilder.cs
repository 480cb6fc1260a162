using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Catalogue;

/// <summary>How people were deduplicated and linked, for the catalogue's processing notes.</summary>
public sealed record LinkageSummary
{
    public string Method { get; init; } =
        "Probabilistic record linkage (Fellegi–Sunter): m probabilities estimated by EM on agreement-pattern counts, u by random sampling; " +
        "records whose match probability is at or above the threshold are clustered by connected components; each cluster is one estimated person.";

    public double? Threshold { get; init; }

    /// <summary>E.g. the comparisons used and the trained lambda; never record values.</summary>
    public string? ModelSummary { get; init; }

    public IReadOnlyList<string> KnownLimitations { get; init; } =
    [
        "Estimated person ids are estimates: some records of one person may carry different ids (missed links) and some ids may cover two people (false links).",
        "Records with sparse or erroneous identifiers are linked less reliably.",
    ];

    public PersonIdReport? PersonIds { get; init; }
}

/// <summary>A share table that is not a dataset extract (linking.csv, case_links.csv).</summary>
public sealed record ShareTableSummary(string Name, string File, string Title, string Description, long Rows, IReadOnlyList<TableColumn> Columns, IReadOnlyList<string> Notes);

public sealed record TableColumn(string Name, string Type, string Description);

public sealed record CatalogueInput(
    ShareSpec Spec,
    IReadOnlyList<DatasetProfile> Profiles,
    IReadOnlyList<ShareDatasetResult> Datasets,
    LinkageSummary Linkage,
    IReadOnlyList<ShareTableSummary> Tables,
    DateTimeOffset CreatedUtc);

/// <summary>
/// Builds the share's documentation files from the profiles, the share spec and the writers' results:
/// catalogue.json (per dataset and variable), datapackage.json (Frictionless tabular data package
/// describing the CSVs) and README.md for researchers. Built only from declarations, counts and
/// coded values — never from identifier values.
/// </summary>
public static class CatalogueBuilder
{
    public const string CatalogueFileName = "catalogue.json";
    public const string DataPackageFileName = "datapackage.json";
    public const string ReadmeFileName = "README.md";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string DatasetFileName(string dataset) => dataset + ".csv";

    public static ShareTableSummary LinkingTable(long rows) => new(
        "linking",
        "linking.csv",
        "Linking dataset",
        "Every record of every person-level dataset in this share with its estimated person id: join any dataset's row_id here to find all records of the same estimated person.",
        rows,
        [
            new(ShareRules.PersonIdColumn, "pseudonym", "Estimated person id (meaningless, stable across refreshes of this share)."),
            new("dataset", "string", "The dataset the record belongs to (its file is {dataset}.csv)."),
            new("row_id", "pseudonym", "The record's row id pseudonym, as in the dataset's file."),
        ],
        ["Only datasets included in this share are listed."]);

    public static ShareTableSummary CaseLinkTable(long rows, CaseLinkingOptions? options = null)
    {
        options ??= new CaseLinkingOptions();
        return new(
            "case_links",
            "case_links.csv",
            "Crown Court to magistrates' court case links",
            "Each Crown Court case linked to the magistrates' court case(s) it most likely stems from, within the same estimated person. One Crown case may stem from several magistrates' cases and a magistrates' case may feed several Crown cases.",
            rows,
            [
                new(ShareRules.PersonIdColumn, "pseudonym", "Estimated person id; both cases belong to this person."),
                new("crown_case_id", "pseudonym", "Crown Court case id pseudonym, as case_id in crown_court.csv."),
                new("magistrates_case_id", "pseudonym", "Magistrates' court case id pseudonym, as case_id in magistrates.csv."),
                new("days_to_receipt", "integer", "Days from the magistrates' date (sending, committal, or sentence for an appeal) to receipt in the Crown Court."),
                new("court_match", "boolean", "Y when the Crown case's committing court is the magistrates' court of the case."),
                new("offence_match", "boolean", "Y when an offence code (or offence group) agrees."),
                new("rule", "string", "The route and evidence: sent / committed / appeal, +court or +other-court, +offence when an offence agrees."),
            ],
            [
                "Routes: a magistrates' case sent for trial feeds a trial receipt, one committed for sentence a committal receipt, one with an appeal lodged an appeal receipt.",
                $"Candidates: Crown cases of the same estimated person received on or after the magistrates' date (sending, committal or sentence) and within {options.WindowDays} days.",
                "A magistrates' case is linked to the person's first such Crown receipt (all Crown cases received that day, if split); cases from the committing court are preferred.",
                "Several magistrates' cases joined into one Crown case all link to it. Links depend on the person link: a missed person link misses the case link.",
            ]);
    }

    public static byte[] BuildCatalogue(CatalogueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = input.Spec;
        var datasets = input.Datasets.Select(result =>
        {
            var profile = FindProfile(input.Profiles, result.Dataset);
            var withheld = profile.Columns.Where(ShareRules.IsNeverShared).Select(c => c.Name).ToList();
            return new
            {
                name = result.Dataset,
                file = DatasetFileName(result.Dataset),
                title = profile.Title,
                description = profile.Description,
                sourceSystem = profile.SourceSystem,
                rowMeaning = profile.RowMeaning,
                coverage = new { from = Date(result.CoverageFrom), to = Date(result.CoverageTo), dateColumn = profile.EventDateColumn },
                rowCount = result.RowsWritten,
                personLevel = result.PersonLevel,
                processingNotes = new
                {
                    rowsRejectedAtIngest = result.RowsRejectedAtIngest,
                    deduplication = result.PersonLevel
                        ? $"{RejectedNote(result)}Rows repeating a row id were removed ({result.DuplicateRowsRemoved} removed of {result.RowsRead}). Records of the same estimated person share person_id. {input.Linkage.Method}"
                        : $"{RejectedNote(result)}Rows repeating a row id were removed ({result.DuplicateRowsRemoved} removed of {result.RowsRead}). Not a person-level dataset: join it to person-level files through its pseudonymised ids.",
                    valuesWithheld = WithheldNote(result),
                    threshold = result.PersonLevel ? input.Linkage.Threshold : null,
                    model = result.PersonLevel ? input.Linkage.ModelSummary : null,
                    recordsWithoutPersonId = result.PersonLevel ? result.RowsWithoutPersonId : (long?)null,
                    deidentification = "Names, date of birth, address and postcode are used for linkage only and are not in this share. Row, case and defendant ids are keyed pseudonyms (HMAC-SHA256) specific to this share. Cells starting with =, +, -, @, tab or carriage return are prefixed with an apostrophe.",
                    withheldColumns = withheld,
                    knownLimitations = input.Linkage.KnownLimitations,
                },
                variables = Variables(result, profile),
            };
        }).ToList();

        var tables = input.Tables.Select(t => new
        {
            name = t.Name,
            file = t.File,
            title = t.Title,
            description = t.Description,
            rowCount = t.Rows,
            notes = t.Notes,
            variables = t.Columns.Select(c => new { name = c.Name, type = c.Type, description = c.Description }),
        });

        var catalogue = new
        {
            share = spec.Share,
            version = spec.Version,
            description = spec.Description,
            createdUtc = input.CreatedUtc.ToUniversalTime(),
            linkage = new
            {
                method = input.Linkage.Method,
                threshold = input.Linkage.Threshold,
                modelSummary = input.Linkage.ModelSummary,
                knownLimitations = input.Linkage.KnownLimitations,
                personIdStability = input.Linkage.PersonIds is { } r
                    ? new { kept = r.Kept, newPeople = r.New, splitClusters = r.SplitClusters, mergedClusters = r.MergedClusters, keptShareOfPersistingPeople = Math.Round(r.KeptShare, 4), recordsChanged = r.RecordsChanged }
                    : null,
            },
            datasets,
            tables,
        };
        return JsonSerializer.SerializeToUtf8Bytes(catalogue, JsonOptions);
    }

    public static byte[] BuildDataPackage(CatalogueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var resources = new List<object>();
        foreach (var result in input.Datasets)
        {
            var profile = FindProfile(input.Profiles, result.Dataset);
            var fields = new List<object>();
            var rowIdName = profile.FindColumn(profile.UniqueIdColumn)?.Name ?? profile.UniqueIdColumn;
            foreach (var column in result.Columns)
            {
                if (column == ShareRules.PersonIdColumn)
                {
                    fields.Add(Field(column, "string", "Estimated person id (meaningless, stable across refreshes of this share).", null));
                }
                else if (column == rowIdName)
                {
                    fields.Add(Field(column, "string", "Row id pseudonym (keyed HMAC-SHA256).", null));
                }
                else
                {
                    var v = result.Variables.First(x => x.Name == column);
                    var values = v.Values is { } list && !v.ValuesTruncated ? list.Select(x => x.Code).ToList() : null;
                    fields.Add(Field(column, FrictionlessType(v.Type), v.Description, values));
                }
            }

            resources.Add(new
            {
                name = result.Dataset,
                path = DatasetFileName(result.Dataset),
                profile = "tabular-data-resource",
                title = profile.Title,
                description = profile.Description,
                format = "csv",
                mediatype = "text/csv",
                encoding = "utf-8",
                schema = new { fields, primaryKey = new[] { rowIdName } },
            });
        }

        foreach (var t in input.Tables)
        {
            resources.Add(new
            {
                name = t.Name,
                path = t.File,
                profile = "tabular-data-resource",
                title = t.Title,
                description = t.Description,
                format = "csv",
                mediatype = "text/csv",
                encoding = "utf-8",
                schema = new { fields = t.Columns.Select(c => Field(c.Name, FrictionlessType(c.Type), c.Description, c.Type == "boolean" ? ["Y", "N"] : null)).ToList() },
            });
        }

        var package = new
        {
            profile = "tabular-data-package",
            name = input.Spec.Share,
            version = input.Spec.Version,
            title = $"DataFirst share {input.Spec.Share} {input.Spec.Version}",
            description = input.Spec.Description,
            created = input.CreatedUtc.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            resources,
        };
        return JsonSerializer.SerializeToUtf8Bytes(package, JsonOptions);
    }

    public static string BuildReadme(CatalogueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = input.Spec;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# DataFirst share `{spec.Share}` version `{spec.Version}`\n\n");
        if (!string.IsNullOrWhiteSpace(spec.Description))
        {
            sb.Append(spec.Description).Append("\n\n");
        }

        sb.Append("De-identified administrative justice data for approved research in a secure research environment.\n\n");
        sb.Append("## Files\n\n| File | Rows | Contents |\n|---|---:|---|\n");
        foreach (var d in input.Datasets)
        {
            var profile = FindProfile(input.Profiles, d.Dataset);
            sb.Append(CultureInfo.InvariantCulture, $"| `{DatasetFileName(d.Dataset)}` | {d.RowsWritten} | {profile.Title} ({Date(d.CoverageFrom) ?? "?"} to {Date(d.CoverageTo) ?? "?"}) |\n");
        }

        foreach (var t in input.Tables)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| `{t.File}` | {t.Rows} | {t.Title} |\n");
        }

        sb.Append("| `catalogue.json` | | Every dataset and variable: descriptions, % missing, code lookups, coverage, processing notes |\n");
        sb.Append("| `datapackage.json` | | Frictionless Data tabular data package describing the CSV files |\n");
        sb.Append("| `manifest.json` | | Size and SHA-256 of every file: check them before use |\n\n");
        sb.Append("## Using the data\n\n");
        sb.Append("- `person_id` is an estimated person id from probabilistic linkage: records with the same `person_id` are estimated to be the same person, across all datasets of this share. It is meaningless, stable across refreshes of this share, and different in every other share.\n");
        sb.Append("- Join datasets on `person_id`, or through `linking.csv` (dataset + `row_id`). `case_links.csv` links Crown Court cases to the magistrates' cases they most likely stem from.\n");
        sb.Append("- Row, case and defendant ids are keyed pseudonyms: they join within this share only.\n");
        sb.Append("- Names, dates of birth, addresses and postcodes are not included; `age_at_event` is age in whole years at the dataset's event date.\n");
        sb.Append("- A value that was not valid for its variable (not a date, not a number, not in the code list) is blank, like a missing one; `catalogue.json` counts them per variable (`withheld`).\n");
        sb.Append("- Text cells that began with `=`, `+`, `-`, `@`, tab or carriage return carry a leading apostrophe so spreadsheets do not run them.\n");
        sb.Append("- Linkage is an estimate: see `catalogue.json` → `linkage` for the method, threshold and known limitations.\n\n");
        sb.Append("## Checking the files\n\n```\nsha256sum magistrates.csv   # compare with manifest.json\n```\n\n");
        sb.Append("Do not attempt to re-identify anyone. Outputs leave the secure environment only after statistical disclosure control.\n");
        return sb.ToString();
    }

    private static DatasetProfile FindProfile(IReadOnlyList<DatasetProfile> profiles, string dataset) =>
        profiles.FirstOrDefault(p => string.Equals(p.Name, dataset, StringComparison.OrdinalIgnoreCase))
        ?? throw new DeidentificationException($"No dataset profile named '{dataset}'; pass the profiles the share was written with.");

    private static List<object> Variables(ShareDatasetResult result, DatasetProfile profile)
    {
        var list = new List<object>();
        var rowIdName = profile.FindColumn(profile.UniqueIdColumn)?.Name ?? profile.UniqueIdColumn;
        if (result.PersonLevel)
        {
            list.Add(new { name = ShareRules.PersonIdColumn, type = "pseudonym", description = "Estimated person id (meaningless, stable across refreshes of this share).", percentMissing = result.RowsWritten == 0 ? 0 : Math.Round(100.0 * result.RowsWithoutPersonId / result.RowsWritten, 2) });
        }

        list.Add(new { name = rowIdName, type = "pseudonym", description = (profile.FindColumn(profile.UniqueIdColumn)?.Description ?? "Row id.") + " Replaced by a keyed pseudonym (HMAC-SHA256) specific to this share.", percentMissing = 0.0 });
        foreach (var v in result.Variables)
        {
            list.Add(new
            {
                name = v.Name,
                type = v.Type,
                description = v.Description,
                percentMissing = v.PercentMissing,
                missing = v.Missing,
                minimum = v.Minimum,
                maximum = v.Maximum,
                values = v.Values?.Select(x => new { code = x.Code, label = x.Label, observed = x.Observed }),
                valuesTruncated = v.ValuesTruncated ? true : (bool?)null,
                withheld = v.Withheld > 0 ? v.Withheld : (long?)null,
            });
        }

        return list;
    }

    private static string RejectedNote(ShareDatasetResult result) => result.RowsRejectedAtIngest > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{result.RowsRejectedAtIngest} row(s) of the extract were rejected at ingest (malformed, not readable, or repeating a row id) and are not in this share; {result.RowsRead} were read. ")
        : string.Empty;

    /// <summary>Which variables had values their type or code list does not allow, left blank (null when none).</summary>
    private static string? WithheldNote(ShareDatasetResult result)
    {
        var withheld = result.Variables.Where(v => v.Withheld > 0).ToList();
        return withheld.Count == 0
            ? null
            : "Values that are not valid for their variable (not a date, not a number, or not in the code list) were left blank, and are counted as missing: "
              + string.Join(", ", withheld.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Name} {v.Withheld}"))) + ".";
    }

    private static object Field(string name, string type, string description, IReadOnlyList<string>? values) =>
        values is null
            ? new { name, type, description }
            : new { name, type, description, constraints = new { @enum = values } };

    private static string FrictionlessType(string type) => type switch
    {
        "integer" => "integer",
        "number" => "number",
        "date" => "date",
        _ => "string",
    };

    private static string? Date(DateOnly? d) => d is { } x ? ShareValues.FormatDate(x) : null;
}

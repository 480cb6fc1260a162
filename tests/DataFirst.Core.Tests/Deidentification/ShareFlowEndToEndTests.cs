using System.Text;
using System.Text.Json;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Profiles;
using DataFirst.Core.Storage;
using DataFirst.Core.Tests.Fakes;
using Xunit.Abstractions;

namespace DataFirst.Core.Tests.Deidentification;

/// <summary>
/// The share flow end to end over the in-memory stores: extracts → person ids → share files,
/// linking and case link tables, catalogue → write-once publication. Checks that no identifier
/// value of the input reaches any published file, that ids persist across a refresh, and the
/// case link table's precision and recall against the generator's truth.
/// </summary>
public sealed class ShareFlowEndToEndTests(ITestOutputHelper output)
{
    private const string Scope = "national";
    private static readonly DateOnly Cutoff = new(2020, 6, 30);
    private readonly IReadOnlyList<DatasetProfile> _profiles = ShareFixture.Profiles();

    private sealed record RunOutput(ShareBuildResult Build, PublishResult Publish, PersonIdAssignment Assignment);

    private async Task<RunOutput> RunAsync(TestBlobStore store, ShareFixture.Population pop, string runId, string version, Func<int?, DateOnly, bool> keep, Func<RecordKey, int, string>? clusterOf = null)
    {
        await store.CreateContainerIfNotExistsAsync("extracts");
        var blobs = new Dictionary<string, string>();
        foreach (var dataset in pop.Headers.Keys)
        {
            var name = $"{runId}/{dataset}.csv";
            await store.UploadBytesAsync("extracts", name, Encoding.UTF8.GetBytes(pop.Csv(dataset, keep)));
            blobs[dataset] = name;
        }

        // Clustering stands in for the linkage engine: one cluster per true person, labelled afresh each run.
        clusterOf ??= (_, person) => $"{runId}-cluster-{person}";
        var clusters = pop.TruePerson
            .Where(kv => keep(kv.Value, pop.EventDate[kv.Key]))
            .Select(kv => new KeyValuePair<RecordKey, string>(kv.Key, clusterOf(kv.Key, kv.Value)))
            .ToList();
        var mappingStore = new PersonIdMappingStore(store);
        var assignment = await mappingStore.AssignAndSaveAsync(Scope, runId, clusters, new PersonIdAssigner());

        var spec = ShareSpec.Parse(ShareFixture.WithVersion(version), _profiles);
        var keys = new ConfigurationPseudonymKeyProvider(new Dictionary<string, string> { ["proj0001"] = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray()) });
        var build = await new ShareBuilder(store, keys).BuildAsync(
            new ShareBuildInput
            {
                Spec = spec,
                Profiles = _profiles,
                ExtractsContainer = "extracts",
                ExtractBlobs = blobs,
                WorkingPrefix = $"{runId}/share/",
                CreatedUtc = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
                Linkage = new Core.Catalogue.LinkageSummary { Threshold = 0.95, ModelSummary = "test clusters", PersonIds = assignment.Report },
            },
            assignment.Mapping);
        var publish = await SharePublisher.PublishAsync(store, spec.Share, spec.Version, build.Files);
        return new RunOutput(build, publish, assignment);
    }

    [Fact]
    public async Task Flow_GeneratedRun_NoIdentifierValueInAnyPublishedFile()
    {
        var pop = ShareFixture.Generate(seed: 11, people: 250);
        var store = new TestBlobStore();

        var run = await RunAsync(store, pop, "run1", "v1", (_, _) => true);

        var published = store.BlobNames("srs-transfer").Where(n => n.StartsWith("proj-0001/v1/", StringComparison.Ordinal)).ToList();
        published.Should().Contain(["proj-0001/v1/magistrates.csv", "proj-0001/v1/crown_court.csv", "proj-0001/v1/prisons.csv", "proj-0001/v1/probation.csv",
            "proj-0001/v1/probation_requirements.csv", "proj-0001/v1/family_people.csv", "proj-0001/v1/family_cases.csv", "proj-0001/v1/family_events.csv",
            "proj-0001/v1/linking.csv", "proj-0001/v1/case_links.csv", "proj-0001/v1/catalogue.json", "proj-0001/v1/datapackage.json", "proj-0001/v1/README.md", "proj-0001/v1/manifest.json"]);
        published.Should().NotContain(n => n.Contains("disclosure", StringComparison.Ordinal));

        // The scan must be able to fail: every identifier value has a non-hex character, and the extracts do contain them.
        pop.IdentifierValues.Should().HaveCountGreaterThan(1000);
        pop.IdentifierValues.Should().OnlyContain(v => v.Any(c => !Uri.IsHexDigit(c)));
        var extracts = Encoding.UTF8.GetString(store.Content("extracts", "run1/magistrates.csv"));
        pop.IdentifierValues.Count(v => extracts.Contains(v, StringComparison.OrdinalIgnoreCase)).Should().BeGreaterThan(500);

        var needles = pop.IdentifierValues.Select(v => v.ToLowerInvariant()).ToList();
        foreach (var name in published)
        {
            var text = Encoding.UTF8.GetString(store.Content("srs-transfer", name)).ToLowerInvariant();
            var found = needles.Where(v => text.Contains(v, StringComparison.Ordinal)).Take(3).ToList();
            found.Should().BeEmpty($"{name} must carry no identifier value of the input");
        }

        // Formula injection was neutralised in the share.
        var magistrates = Encoding.UTF8.GetString(store.Content("srs-transfer", "proj-0001/v1/magistrates.csv"));
        extracts.Should().Contain("=HYPERLINK");
        magistrates.Should().Contain("'=HYPERLINK").And.NotContain(",=HYPERLINK").And.NotContain(",\"=HYPERLINK");

        // The manifest lists every other file with its true size and SHA-256.
        (await SharePublisher.VerifyAsync(store, "proj-0001", "v1")).Should().BeEmpty();
        run.Publish.Files.Should().HaveCount(published.Count - 1);

        // Duplicated extract rows were removed.
        run.Build.Datasets.Single(d => d.Dataset == "magistrates").DuplicateRowsRemoved.Should().BeGreaterThan(0);
        run.Build.Datasets.Should().OnlyContain(d => d.RowsWithoutPersonId == 0);

        // The internal disclosure-risk report exists in the working container only.
        store.BlobNames("working").Should().Contain(run.Build.DisclosureReportBlob);
        run.Build.DisclosureRisk.Should().Contain(r => r.Dataset == "magistrates" && r.QuasiIdentifiers.Contains("age_at_event") && r.QuasiIdentifiers.Contains("court_code"));
    }

    [Fact]
    public async Task Flow_GeneratedRun_SharesJoinOnPseudonyms()
    {
        var pop = ShareFixture.Generate(seed: 12, people: 120);
        var store = new TestBlobStore();
        await RunAsync(store, pop, "run1", "v1", (_, _) => true);

        var reqs = ReadCsv(store, "proj-0001/v1/probation_requirements.csv");
        var probation = ReadCsv(store, "proj-0001/v1/probation.csv");
        reqs.Should().NotBeEmpty();
        var probationRowIds = probation.Select(r => r["row_id"]).ToHashSet();
        reqs.Should().OnlyContain(r => probationRowIds.Contains(r["probation_row_id"]), "idDomains map probation_requirements.probation_row_id to probation.row_id");

        var familyPeopleCases = ReadCsv(store, "proj-0001/v1/family_people.csv").Select(r => r["case_id"]).ToHashSet();
        ReadCsv(store, "proj-0001/v1/family_events.csv").Should().OnlyContain(r => familyPeopleCases.Contains(r["case_id"]));
        ReadCsv(store, "proj-0001/v1/family_cases.csv").Select(r => r["case_id"]).Should().BeEquivalentTo(familyPeopleCases);

        // The linking dataset joins every person-level row to its person id.
        var linking = ReadCsv(store, "proj-0001/v1/linking.csv");
        var mag = ReadCsv(store, "proj-0001/v1/magistrates.csv");
        var byRow = linking.Where(r => r["dataset"] == "magistrates").ToDictionary(r => r["row_id"], r => r["person_id"]);
        mag.Should().OnlyContain(r => byRow[r["row_id"]] == r["person_id"]);
        linking.Select(r => r["dataset"]).Distinct().Should().BeEquivalentTo(["magistrates", "crown_court", "prisons", "probation", "family_people"]);
        linking.Should().HaveCount(new[] { "magistrates", "crown_court", "prisons", "probation", "family_people" }.Sum(d => ReadCsv(store, $"proj-0001/v1/{d}.csv").Count), "one row per person-level share row");
        linking.Select(r => (r["dataset"], r["row_id"])).Should().OnlyHaveUniqueItems();

        // The same true person has one person id across datasets; different people differ.
        var crown = ReadCsv(store, "proj-0001/v1/crown_court.csv");
        mag.Select(r => r["person_id"]).Distinct().Count().Should().Be(pop.TruePerson.Where(kv => kv.Key.Dataset == "magistrates").Select(kv => kv.Value).Distinct().Count());
        crown.Select(r => r["person_id"]).Should().OnlyContain(p => byRow.ContainsValue(p));

        // Ages were derived, sex shared, no identifier column present.
        mag[0].Keys.Should().Contain(["person_id", "row_id", "age_at_event", "sex", "ethnicity"]).And.NotContain(["forenames", "surname", "date_of_birth", "address", "postcode"]);
        mag.Should().OnlyContain(r => int.Parse(r["age_at_event"], System.Globalization.CultureInfo.InvariantCulture) >= 15);
    }

    [Fact]
    public async Task Flow_CaseLinkTable_ReachesPrecisionAndRecallOfAtLeast95Percent()
    {
        var pop = ShareFixture.Generate(seed: 13, people: 600);
        var store = new TestBlobStore();
        var run = await RunAsync(store, pop, "run1", "v1", (_, _) => true);

        var eval = CaseLinkEvaluation.Evaluate(run.Build.CaseLinks!.Links, pop.TrueCaseLinks);
        output.WriteLine($"case links: predicted {eval.Predicted}, true {eval.True}, TP {eval.TruePositives}, precision {eval.Precision:F4}, recall {eval.Recall:F4}");

        eval.True.Should().BeGreaterThan(150);
        eval.Precision.Should().BeGreaterThanOrEqualTo(0.95);
        eval.Recall.Should().BeGreaterThanOrEqualTo(0.95);
        ReadCsv(store, "proj-0001/v1/case_links.csv").Should().HaveCount(eval.Predicted);

        // The published table joins the share files: crown and magistrates case pseudonyms of the same person.
        var crownCases = ReadCsv(store, "proj-0001/v1/crown_court.csv").Select(r => (r["person_id"], r["case_id"])).ToHashSet();
        var magCases = ReadCsv(store, "proj-0001/v1/magistrates.csv").Select(r => (r["person_id"], r["case_id"])).ToHashSet();
        foreach (var r in ReadCsv(store, "proj-0001/v1/case_links.csv"))
        {
            crownCases.Should().Contain((r["person_id"], r["crown_case_id"]));
            magCases.Should().Contain((r["person_id"], r["magistrates_case_id"]));
        }
    }

    [Fact]
    public async Task Flow_Refresh_PersistingPeopleKeepTheirIdsAndNewPeopleGetNewIds()
    {
        const int people = 300;
        var pop = ShareFixture.Generate(seed: 14, people: people + 60);
        var store = new TestBlobStore();

        // Run 1: the first 300 people, records up to the cut-off. Run 2: everything (new records, 60 new people).
        var first = await RunAsync(store, pop, "run1", "v1", (p, d) => p is null ? d <= Cutoff : p < people && d <= Cutoff);
        var second = await RunAsync(store, pop, "run2", "v2", (_, _) => true);

        var before = PersonByRow(store, "v1");
        var after = PersonByRow(store, "v2");
        var truePersonByRow = TruePersonByShareRow(store, pop, "v2");
        var common = before.Keys.Intersect(after.Keys).ToList();
        common.Should().HaveCountGreaterThan(300);
        common.Should().OnlyContain(row => before[row] == after[row], "a person whose cluster persists keeps the same person id");

        var oldPeopleIds = before.Values.ToHashSet();
        var newPeopleRows = after.Keys.Where(row => truePersonByRow[row] >= people).ToList();
        newPeopleRows.Should().NotBeEmpty();
        newPeopleRows.Should().OnlyContain(row => !oldPeopleIds.Contains(after[row]), "new people get new ids");

        output.WriteLine($"refresh: {second.Assignment.Report}");
        second.Assignment.Report.Kept.Should().Be(first.Assignment.Report.Clusters);
        second.Assignment.Report.KeptShare.Should().Be(1.0);
        second.Assignment.Report.New.Should().BeGreaterThan(0);
        second.Assignment.Report.SplitClusters.Should().Be(0);
        second.Assignment.Report.MergedClusters.Should().Be(0);

        // Re-publishing a version is refused.
        var act = () => SharePublisher.PublishAsync(store, "proj-0001", "v2", second.Build.Files);
        (await act.Should().ThrowAsync<SharePublicationException>()).WithMessage("*already published*new version*");
    }

    [Fact]
    public async Task Flow_RefreshWithSplitAndMerge_GivesNewIdsAndCountsThem()
    {
        var pop = ShareFixture.Generate(seed: 15, people: 80);
        var store = new TestBlobStore();
        await RunAsync(store, pop, "run1", "v1", (_, _) => true);

        // Second run: person 0's records split in two clusters; persons 1 and 2 merged.
        var split = pop.TruePerson.Where(kv => kv.Value == 0).Select(kv => kv.Key).Take(1).ToHashSet();
        var second = await RunAsync(store, pop, "run2", "v2", (_, _) => true, (key, person) =>
            person == 0 ? (split.Contains(key) ? "s-a" : "s-b") : person == 2 ? "c-1" : $"c-{person}");

        var report = second.Assignment.Report;
        if (pop.TruePerson.Count(kv => kv.Value == 0) > 1)
        {
            report.SplitClusters.Should().Be(2);
            report.PreviousPersonsSplit.Should().Be(1);
        }

        report.MergedClusters.Should().Be(1);
        report.PreviousPersonsMerged.Should().Be(2);
        report.Kept.Should().Be(report.Clusters - report.SplitClusters - report.MergedClusters);
    }

    private static List<Dictionary<string, string>> ReadCsv(TestBlobStore store, string name)
    {
        using var reader = new StringReader(Encoding.UTF8.GetString(store.Content("srs-transfer", name)));
        var csv = new CsvReader(reader, name);
        var header = csv.ReadHeaderAsync().AsTask().GetAwaiter().GetResult();
        var rows = new List<Dictionary<string, string>>();
        while (csv.ReadRowAsync().AsTask().GetAwaiter().GetResult() is { } row)
        {
            rows.Add(header.Names.Select((n, i) => (n, row[i])).ToDictionary(x => x.n, x => x.Item2));
        }

        return rows;
    }

    /// <summary>(dataset, row pseudonym) → person id, from the published linking dataset.</summary>
    private static Dictionary<(string, string), string> PersonByRow(TestBlobStore store, string version) =>
        ReadCsv(store, $"proj-0001/{version}/linking.csv").ToDictionary(r => (r["dataset"], r["row_id"]), r => r["person_id"]);

    private static Dictionary<(string, string), int> TruePersonByShareRow(TestBlobStore store, ShareFixture.Population pop, string version)
    {
        var p = new Pseudonymiser(new PseudonymKey("proj0001", Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray()));
        return pop.TruePerson.ToDictionary(kv => (kv.Key.Dataset, p.Pseudonymise($"{kv.Key.Dataset}.row_id", kv.Key.RowId)), kv => kv.Value);
    }
}

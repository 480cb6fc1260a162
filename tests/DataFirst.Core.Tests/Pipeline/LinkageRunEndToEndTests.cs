using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Profiles;
using DataFirst.Core.Settings;
using DataFirst.Core.Storage;
using DataFirst.Core.Training;
using DataFirst.Core.Workflow;
using DataFirst.Testing;
using Xunit.Abstractions;

namespace DataFirst.Core.Tests.Pipeline;

/// <summary>The whole linkage run on generated justice extracts: accuracy, privacy, refresh, bad input.</summary>
public sealed class LinkageRunEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_GeneratedExtracts_LinksPeopleAccurately_AndPublishesACompleteShare()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 1500, seed: 11);
        var request = await run.UploadAsync("e2e", "v1");

        var (state, result) = await run.RunAsync(request, "e2e-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().Be(0);
        result.Comparisons.Should().BeGreaterThan(0);
        result.EmConverged.Should().BeTrue();

        // Person linkage against the generator's truth (the run's saved person id mapping).
        var clusters = (await PersonIds(run, "e2e", "e2e-1")).ToList();
        var truth = ReadCsv(run.ReadExtract(Path.Combine("truth", "persons.csv"))).ToDictionary(r => (r[0], r[1]), r => r[2]);
        var predicted = clusters.Select(r => r.Value).ToList();
        var actual = clusters.Select(r => truth[r.Key]).ToList();
        var quality = LinkageMetrics.Compare(predicted, actual);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"justice person linkage: precision {quality.Precision:F4} recall {quality.Recall:F4} F1 {quality.F1:F4} ({clusters.Count} records, {result.EstimatedPeople} estimated people, {actual.Distinct().Count()} true)"));
        quality.Precision.Should().BeGreaterThan(0.95);
        quality.Recall.Should().BeGreaterThan(0.85);

        // A complete share: every file the manifest lists, and the manifest last.
        var files = await run.PublishedFilesAsync("e2e", "v1");
        files.Keys.Should().Contain(["manifest.json", "catalogue.json", "datapackage.json", "README.md", "linking.csv", "case_links.csv", "magistrates.csv", "crown_court.csv"]);
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        manifest.RootElement.GetProperty("files").GetArrayLength().Should().Be(files.Count - 1);

        // The linking dataset, put together from the share writers' rows: one row per linked record, each with the
        // person id its dataset's share file gives the row.
        var linking = ReadCsv(files["linking.csv"]);
        linking.Should().HaveCount(clusters.Count);
        var magistrates = ReadCsv(files["magistrates.csv"]).ToDictionary(r => r[1], r => r[0]);
        linking.Where(r => r[1] == "magistrates").Should().HaveCount(magistrates.Count).And.OnlyContain(r => magistrates[r[2]] == r[0]);
        using var catalogueJson = JsonDocument.Parse(files["catalogue.json"]);
        catalogueJson.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("file").GetString() == "linking.csv").GetProperty("rowCount").GetInt64().Should().Be(clusters.Count);
    }

    [Fact]
    public async Task CheckInputs_GivesEachExtractsSize_InTheRequestsOrder()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 50, seed: 3);
        var request = await run.UploadAsync("sizes", "v1", only: ["prisons", "magistrates", "crown_court"]);
        var context = new RunContext("sizes-1", "sizes", "v1", new DateOnly(2026, 11, 22), string.Empty, 1);

        var result = await new CheckInputsActivity(run.Services).RunAsync(new CheckInputsInput(context, request), CancellationToken.None);

        var expected = new List<long>();
        foreach (var extract in request.Extracts)
        {
            var (container, name) = BlobRef.Split(extract.Blob);
            expected.Add((await run.Blobs.GetPropertiesAsync(container, name))!.Length);
        }

        result.ExtractBytes.Should().Equal(expected);
        expected.Should().OnlyContain(b => b > 0).And.HaveCount(3);
    }

    [Fact]
    public async Task Catalogue_PersonLevelShareFileWithoutLinkingRows_IsRefusedNotLeftOutOfLinking()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 20, seed: 2);
        var context = new RunContext("old-run", "old", "v1", new DateOnly(2026, 11, 22), string.Empty, 1);
        var input = new WriteCatalogueInput(context, [new WriteShareDatasetResult("magistrates", "working/old-run/share/magistrates.csv", 10, "working/old-run/share-stats/magistrates.json")], null!, "models/old/model.json", null, "k", null!);

        var act = () => new WriteCatalogueActivity(run.Services).RunAsync(input, CancellationToken.None);

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*'magistrates'*without its rows of linking.csv*");
    }

    [Fact]
    public async Task Run_SharesAndCatalogue_ContainNoIdentifierValueOfTheInput()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 600, seed: 5);
        var request = await run.UploadAsync("privacy", "v1");
        var (state, _) = await run.RunAsync(request, "privacy-1");
        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);

        var scanner = IdentifierScanner.FromExtracts(run.ExtractsFolder, PipelineProfiles.Catalog);
        scanner.Identifiers.Should().HaveCountGreaterThan(1000, "the scan must have values to look for");
        scanner.DatesOfBirth.Should().HaveCountGreaterThan(300);
        scanner.Scan("magistrates.csv", run.ReadExtract("magistrates.csv")).Should().HaveCount(2, "the scan must recognise identifiers and a date-of-birth column where they are (the raw extract)");
        var files = await run.PublishedFilesAsync("privacy", "v1");
        var found = files.SelectMany(f => scanner.Scan(f.Key, f.Value)).ToList();

        found.Should().BeEmpty("no identifier of the input may reach a share file, the catalogue or the manifest");
    }

    [Fact]
    public async Task Run_CaseLinks_MatchTheTrueCrownToMagistratesLinks()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 1500, seed: 3);
        var request = await run.UploadAsync("cases", "v1");
        var (state, result) = await run.RunAsync(request, "cases-1");
        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);

        // The share's case ids are keyed pseudonyms: pseudonymise the true links the same way to compare.
        var files = await run.PublishedFilesAsync("cases", "v1");
        var links = ReadCsv(files["case_links.csv"], out var header);
        int crown = Array.IndexOf(header, "crown_case_id"), mag = Array.IndexOf(header, "magistrates_case_id");
        var predicted = links.Select(r => (r[crown], r[mag])).ToHashSet();
        var pseudonymiser = new DataFirst.Core.Deidentification.Pseudonymiser(await run.Services.Keys.GetKeyAsync("test"));
        var spec = new DataFirst.Core.Deidentification.ShareSpec { Share = "cases", Version = "v1", KeyId = "test", Datasets = [] };
        var crownProfile = PipelineProfiles.Catalog.Get("crown_court");
        var magProfile = PipelineProfiles.Catalog.Get("magistrates");
        var truth = ReadCsv(run.ReadExtract(Path.Combine("truth", "case_links.csv")))
            .Select(r => (pseudonymiser.Pseudonymise(spec.IdDomainFor(crownProfile, "case_id"), r[0]), pseudonymiser.Pseudonymise(spec.IdDomainFor(magProfile, "case_id"), r[1])))
            .ToHashSet();

        var tp = predicted.Count(truth.Contains);
        var precision = (double)tp / predicted.Count;
        var recall = (double)tp / truth.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"case links: precision {precision:F4} recall {recall:F4} ({predicted.Count} predicted, {truth.Count} true)"));
        result!.CaseLinks.Should().Be(links.Count, "one row per person and case pair (co-defendants share case pairs)");
        precision.Should().BeGreaterThanOrEqualTo(0.95);
        recall.Should().BeGreaterThanOrEqualTo(0.95);
    }

    [Fact]
    public async Task Run_Refresh_PersistingPeopleKeepTheirPersonIds()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 800, seed: 8);
        var first = await run.UploadAsync("refresh", "v1", only: ["magistrates", "crown_court"]);
        var (s1, r1) = await run.RunAsync(first, "refresh-1");
        s1.Status.Should().Be(WorkflowStatus.Completed, s1.Error);

        var second = await run.UploadAsync("refresh", "v2");
        var (s2, r2) = await run.RunAsync(second, "refresh-2");
        s2.Status.Should().Be(WorkflowStatus.Completed, s2.Error);

        var before = await PersonIds(run, "refresh", "refresh-1");
        var after = await PersonIds(run, "refresh", "refresh-2");
        var common = before.Keys.Where(after.ContainsKey).ToList();
        common.Should().HaveCount(before.Count, "every record of the first run is in the second");
        var kept = common.Count(k => before[k] == after[k]);
        var share = (double)kept / common.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refresh: {share:P2} of {common.Count} records kept their person id; report kept {r2!.PersonIds.Kept}, new {r2.PersonIds.New}, split {r2.PersonIds.SplitClusters}, merged {r2.PersonIds.MergedClusters}"));
        share.Should().BeGreaterThan(0.97);
        r2.PersonIds.Kept.Should().BeGreaterThan(0);
        r2.PersonIds.New.Should().BeGreaterThan(0, "prisons, probation and family court bring new people");
        var newPeopleIds = after.Where(kv => !before.ContainsKey(kv.Key)).Select(kv => kv.Value).ToHashSet();
        newPeopleIds.Should().NotBeEmpty();
        r1!.PersonIds.Kept.Should().Be(0);
    }

    [Fact]
    public async Task Run_RefreshWithRowIdsRenumbered_CarriesNoPersonIdToAnotherRecord()
    {
        // A re-exported extract: the magistrates' rows shuffled and row_id renumbered from 1. Carried over by row id alone,
        // the ids of the first run would pass to whoever now has each row id.
        using var run = await PipelineTestRun.CreateAsync(people: 600, seed: 9);
        var (s1, _) = await run.RunAsync(await run.UploadAsync("renumber", "v1"), "renumber-1");
        s1.Status.Should().Be(WorkflowStatus.Completed, s1.Error);

        var path = Path.Combine(run.ExtractsFolder, "magistrates.csv");
        var rows = ReadCsv(File.ReadAllText(path), out var header);
        var rowId = Array.IndexOf(header, "row_id");
        new Random(4).Shuffle(CollectionsMarshal.AsSpan(rows));
        var originalOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var csv = new StringBuilder(string.Join(',', header.Select(Quote))).Append('\n');
        for (var i = 0; i < rows.Count; i++)
        {
            var renumbered = (i + 1).ToString(CultureInfo.InvariantCulture);
            originalOf[renumbered] = rows[i][rowId];
            rows[i][rowId] = renumbered;
            csv.Append(string.Join(',', rows[i].Select(Quote))).Append('\n');
        }

        await File.WriteAllTextAsync(path, csv.ToString());
        var (s2, r2) = await run.RunAsync(await run.UploadAsync("renumber", "v2"), "renumber-2");
        s2.Status.Should().Be(WorkflowStatus.Completed, s2.Error);

        // Each record by its first-run row id; a person id kept from the first run must still hold a record it held then.
        var before = await PersonIds(run, "renumber", "renumber-1");
        var after = (await PersonIds(run, "renumber", "renumber-2"))
            .ToDictionary(kv => kv.Key.Item1 == "magistrates" ? (kv.Key.Item1, originalOf[kv.Key.Item2]) : kv.Key, kv => kv.Value);
        var recordsBefore = before.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToHashSet());
        var keptIds = after.Values.Where(recordsBefore.ContainsKey).ToHashSet();
        var wrong = keptIds.Count(id => !after.Where(kv => kv.Value == id).Any(kv => recordsBefore[id].Contains(kv.Key)));
        var ids = r2!.PersonIds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"renumbered refresh: kept {ids.Kept}, new {ids.New}, split {ids.SplitClusters}, merged {ids.MergedClusters}; records changed {ids.RecordsChanged}; kept ids now on other records {wrong}"));

        wrong.Should().Be(0, "a person id is carried over only to a record that had it");
        keptIds.Should().HaveCount(ids.Kept);
        ids.RecordsChanged.Should().BeGreaterThan(0);
        (ids.Kept + ids.New + ids.SplitClusters + ids.MergedClusters).Should().Be((int)r2.EstimatedPeople);
        r2.Warnings.Should().Contain(w => w.Contains("renumbered", StringComparison.Ordinal));

        static string Quote(string value) =>
            value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    [Theory]
    [InlineData("average_linkage")]
    [InlineData("size_aware")]
    public async Task Run_WithAnotherClusteringMethod_ClustersTheRunsRecordsWithIt(string clustering)
    {
        // The cluster activity reads every record set of the run; average linkage scores cross pairs that are not edges
        // with the model over those records (row ids must be their positions).
        using var run = await PipelineTestRun.CreateAsync(people: 600, seed: 13);
        var request = await run.UploadAsync("clus", "v1", only: ["magistrates", "crown_court", "prisons"]);
        var json = DataFirst.Core.Pipeline.PipelineSettings.BuiltInJson();
        json.Should().Contain("\n  \"match_threshold\"");
        json = json.Replace("\n  \"match_threshold\"", $"\n  \"clustering\": \"{clustering}\",\n  \"match_threshold\"", StringComparison.Ordinal);
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(json)))
        {
            await run.Blobs.UploadAsync("extracts", "clus/settings.json", stream);
        }

        var (cc, ccResult) = await run.RunAsync(request, "clus-cc");
        var (state, result) = await run.RunAsync(request with { Version = "v2", Settings = "extracts/clus/settings.json" }, "clus-1");

        cc.Status.Should().Be(WorkflowStatus.Completed, cc.Error);
        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        var truth = ReadCsv(run.ReadExtract(Path.Combine("truth", "persons.csv"))).ToDictionary(r => (r[0], r[1]), r => r[2]);
        var clusters = (await PersonIds(run, "clus", "clus-1")).ToList();
        var quality = LinkageMetrics.Compare(clusters.Select(r => r.Value).ToList(), clusters.Select(r => truth[r.Key]).ToList());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clustering}: precision {quality.Precision:F4} recall {quality.Recall:F4}; estimated people {result!.EstimatedPeople} (connected components {ccResult!.EstimatedPeople})"));
        quality.Precision.Should().BeGreaterThan(0.95);
        quality.Recall.Should().BeGreaterThan(0.8);
        result.EstimatedPeople.Should().BeGreaterThanOrEqualTo(ccResult.EstimatedPeople, "a stricter clustering never joins what connected components keep apart");
    }

    [Fact]
    public async Task Run_TrainingRuleAboveEmMaxPairs_CountsASeededSampleOfItsPairs_AndSaysSoInTheModel()
    {
        // A session blocked on sex alone pairs half the records with each other: the partition activity sees that it
        // exceeds em.max_pairs and the count activities count a sample of its pairs.
        using var run = await PipelineTestRun.CreateAsync(people: 600, seed: 14);
        var request = await run.UploadAsync("sample", "v1", only: ["magistrates", "crown_court", "prisons"]);
        var json = DataFirst.Core.Pipeline.PipelineSettings.BuiltInJson();
        var settings = LinkageSettings.Parse(json);
        settings = settings with
        {
            BlockingRulesForTraining = [.. settings.BlockingRulesForTraining, ["sex"]],
            Em = settings.Em with { MaxPairs = 20_000 },
        };
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(settings.ToJson())))
        {
            await run.Blobs.UploadAsync("extracts", "sample/settings.json", stream);
        }

        var (state, result) = await run.RunAsync(request with { Settings = "extracts/sample/settings.json" }, "sample-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        string modelJson;
        await using (var model = await run.Blobs.OpenReadAsync("models", "sample/sample-1/model.json"))
        using (var reader = new StreamReader(model))
        {
            modelJson = await reader.ReadToEndAsync();
        }

        var sessions = LinkageModel.FromJson(modelJson).Provenance.Sessions;
        sessions.Should().HaveCount(settings.BlockingRulesForTraining.Count);
        var sex = sessions[^1];
        sex.Rule.Should().Equal("sex");
        sex.PairsGenerated.Should().BeGreaterThan(60_000);
        ((double)sex.Pairs).Should().BeInRange(18_000, 22_000);
        sessions.Take(sessions.Count - 1).Should().OnlyContain(s => s.Pairs == s.PairsGenerated && s.Pairs < 20_000, "the other rules fit within em.max_pairs");
        result!.EstimatedPeople.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Run_ResumedWithAnotherKeyUnderTheSameId_StopsBeforePseudonymising_AndCompletesWithTheOriginalKey()
    {
        // The key the run starts with, then another under the same id (a rotated or mistyped secret) from the next call on.
        var keys = new SwitchingKeys();
        using var run = await PipelineTestRun.CreateAsync(people: 300, seed: 15, keyProvider: keys);
        var request = await run.UploadAsync("keys", "v1", only: ["magistrates", "crown_court", "prisons"]);
        keys.AfterFirstCall = keys.Other;

        var (failed, _) = await run.RunAsync(request, "keys-1");

        failed.Status.Should().Be(WorkflowStatus.Failed);
        failed.Error.Should().Contain("'test' is not the key this run started with").And.Contain("resume");
        (await run.PublishedFilesAsync("keys", "v1")).Should().BeEmpty();

        keys.AfterFirstCall = keys.Original;
        var (resumed, _) = await run.Runner.RunAsync("keys-1");

        resumed.Status.Should().Be(WorkflowStatus.Completed, resumed.Error);
        (await run.PublishedFilesAsync("keys", "v1")).Keys.Should().Contain("magistrates.csv");
    }

    private sealed class SwitchingKeys : IPseudonymKeyProvider
    {
        private int _calls;

        public PseudonymKey Original { get; } = new("test", RandomNumberGenerator.GetBytes(32));

        public PseudonymKey Other { get; } = new("test", RandomNumberGenerator.GetBytes(32));

        public PseudonymKey? AfterFirstCall { get; set; }

        public Task<PseudonymKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
            Task.FromResult(Interlocked.Increment(ref _calls) == 1 ? Original : AfterFirstCall ?? Original);
    }

    [Fact]
    public async Task Run_Completed_RemovesTheIntermediatesHoldingPersonalData_UnlessAskedToKeepThem()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 300, seed: 16);
        var request = await run.UploadAsync("clean", "v1", only: ["magistrates", "crown_court", "prisons"]);

        var (kept, _) = await run.RunAsync(request with { KeepWorking = true }, "clean-1");
        var (removed, _) = await run.RunAsync(request with { Version = "v2" }, "clean-2");

        kept.Status.Should().Be(WorkflowStatus.Completed, kept.Error);
        removed.Status.Should().Be(WorkflowStatus.Completed, removed.Error);
        async Task<List<string>> Working(string runId)
        {
            var names = new List<string>();
            await foreach (var item in run.Blobs.ListAllAsync("working", runId + "/"))
            {
                names.Add(item.Name[(runId.Length + 1)..]);
            }

            return names;
        }

        var before = await Working("clean-1");
        var after = await Working("clean-2");
        foreach (var folder in CleanWorkingActivity.RemovedFolders)
        {
            before.Should().Contain(n => n.StartsWith(folder, StringComparison.Ordinal), $"a kept run has its {folder} blobs");
        }

        after.Should().BeEquivalentTo(["settings.json", "internal/disclosure-risk.json"], "only the pinned settings and the internal disclosure-risk report stay");
        (await run.PublishedFilesAsync("clean", "v2")).Keys.Should().Contain("magistrates.csv");
    }

    [Fact]
    public async Task Run_WithTheModelOfAnEarlierRun_ScoresWithoutTraining()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 600, seed: 12);
        var first = await run.UploadAsync("reuse", "v1", only: ["magistrates", "crown_court", "prisons"]);
        var (s1, r1) = await run.RunAsync(first, "reuse-1");
        s1.Status.Should().Be(WorkflowStatus.Completed, s1.Error);

        var (s2, r2) = await run.RunAsync(first with { Version = "v2", Model = "models/reuse/reuse-1/model.json" }, "reuse-2");

        s2.Status.Should().Be(WorkflowStatus.Completed, s2.Error);
        r2!.EmIterations.Should().Be(0, "a saved model is not retrained");
        (await run.Blobs.GetPropertiesAsync("models", "reuse/reuse-2/model.json")).Should().BeNull();
        r2.EstimatedPeople.Should().Be(r1!.EstimatedPeople, "the same data scored with the same model gives the same people");
        r2.PersonIds.Kept.Should().Be((int)r1.EstimatedPeople);
    }

    [Fact]
    public async Task Run_MissingExtract_FailsFastNamingIt_AndWritesNothing()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 100, seed: 1);
        var request = await run.UploadAsync("missing", "v1", only: ["magistrates"]);
        request = request with { Extracts = [.. request.Extracts, new ExtractReference("crown_court", "extracts/missing/crown_court.csv")] };

        var (state, _) = await run.RunAsync(request, "missing-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("CheckInputsActivity").And.Contain("extracts/missing/crown_court.csv").And.Contain("does not exist");
        (await run.Blobs.ListPageAsync("working", "missing-1/")).Items.Should().BeEmpty();
        (await run.Blobs.ListPageAsync("srs-transfer", "missing/")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_MalformedRows_AreQuarantinedWithAReason_AndTheRunCompletes()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 300, seed: 2, new DataFirst.Core.Synthetic.BadInputOptions { MalformedRowRate = 0.02 });
        var request = await run.UploadAsync("bad", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, "bad-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().BeGreaterThan(0);
        var quarantined = await run.Blobs.ListPageAsync("quarantine", "bad/bad-1/");
        quarantined.Items.Should().NotBeEmpty();
        var text = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", quarantined.Items[0].Name));
        text.Split('\n')[0].Should().StartWith("source_line,reason,");
        text.Should().Contain("fields where the header has");
    }

    [Fact]
    public async Task Run_ExtractMissingAnIdentifierColumn_FailsNamingFileAndColumn_AndQuarantinesTheFile()
    {
        var bad = new DataFirst.Core.Synthetic.BadInputOptions { MissingColumns = new Dictionary<string, IReadOnlyList<string>> { ["crown_court"] = ["defendant_surname"] } };
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 7, bad);
        var request = await run.UploadAsync("cols", "v1", only: ["magistrates", "crown_court"]);

        var (state, _) = await run.RunAsync(request, "cols-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("extracts/cols/crown_court.csv").And.Contain("defendant_surname").And.Contain("quarantine");
        var reason = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "cols/cols-1/crown_court.reason.txt"));
        reason.Should().Contain("defendant_surname");
        (reason.Split("extracts/cols/crown_court.csv").Length - 1).Should().Be(1, "the reason names the file once");
        (await run.Blobs.ListPageAsync("srs-transfer", "cols/")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_ExtractNamingAColumnTwice_FailsAtIngestNamingFileAndColumn_AndQuarantinesTheFile()
    {
        // The last column renamed to another column's name in another case: which one is the surname? Ingest must not
        // guess (it took the first, and the share step refused the file only after linking).
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 10);
        var path = Path.Combine(run.ExtractsFolder, "crown_court.csv");
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        header.Should().Contain("defendant_surname");
        header[^1] = "Defendant_Surname";
        lines[0] = string.Join(',', header);
        File.WriteAllLines(path, lines);
        var request = await run.UploadAsync("twice", "v1", only: ["magistrates", "crown_court"]);

        var (state, _) = await run.RunAsync(request, "twice-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("extracts/twice/crown_court.csv").And.Contain("'Defendant_Surname'").And.Contain("twice").And.Contain("quarantine");
        var reason = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "twice/twice-1/crown_court.reason.txt"));
        reason.Should().Contain("'Defendant_Surname'");
        (await run.Blobs.ListPageAsync("srs-transfer", "twice/")).Items.Should().BeEmpty();
        state.Error.Should().Contain("IngestExtractActivity", "the run stops at ingest, before anything is linked");
    }

    [Fact]
    public async Task Run_ExtractLackingAColumnTheShareReads_FailsAtIngestNamingIt_AndCompletesWhenResumedWithTheFixedFile()
    {
        // Without a share spec the share has every shareable variable; an extract without one of them used to pass ingest
        // and fail only when the share was written, after linkage, and a resume replayed the ingest of the broken file.
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 16);
        var path = Path.Combine(run.ExtractsFolder, "magistrates.csv");
        var original = File.ReadAllBytes(path);
        EditExtract(path, (header, rows) => DropColumn(header, rows, "appeal_lodged"));
        var request = await run.UploadAsync("sharecols", "v1", only: ["magistrates", "crown_court"]);

        var (state, _) = await run.RunAsync(request, "sharecols-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("IngestExtractActivity", "the run stops at ingest, before anything is linked");
        state.Error.Should().Contain("extract 'extracts/sharecols/magistrates.csv' (dataset magistrates) lacks column(s) appeal_lodged that share 'sharecols' needs")
            .And.Contain("no share spec").And.Contain("quarantine");
        var reason = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "sharecols/sharecols-1/magistrates.reason.txt"));
        reason.Should().Contain("appeal_lodged").And.Contain("share 'sharecols' needs");
        (await run.Blobs.DownloadBytesAsync("quarantine", "sharecols/sharecols-1/magistrates.csv")).Should().Equal(File.ReadAllBytes(path), "the whole file waits in quarantine");
        (await run.PublishedFilesAsync("sharecols", "v1")).Should().BeEmpty();

        // The fixed file, uploaded again: the resumed run ingests it (a failed ingest is not in the history) and completes.
        File.WriteAllBytes(path, original);
        await run.UploadAsync("sharecols", "v1", only: ["magistrates"]);
        var (resumed, _) = await run.Runner.RunAsync("sharecols-1");

        resumed.Status.Should().Be(WorkflowStatus.Completed, resumed.Error);
        (await run.PublishedFilesAsync("sharecols", "v1"))["magistrates.csv"].Split('\n')[0].Split(',').Should().Contain("appeal_lodged");
    }

    [Fact]
    public async Task Run_ExtractLackingAColumnTheShareSpecAsksFor_FailsAtIngestNamingTheSpec_ButOneItDoesNotAskForIsNoProblem()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 17);
        EditExtract(Path.Combine(run.ExtractsFolder, "magistrates.csv"), (header, rows) => DropColumn(header, rows, "appeal_lodged", "fine_amount"));
        var request = await run.UploadAsync("specs", "v1", only: ["magistrates", "crown_court"]);
        async Task<LinkageRunRequest> WithSpec(string name, string magistratesVariables)
        {
            var json = $$"""
                { "share": "{{name}}", "version": "v1", "keyId": "test",
                  "datasets": { "magistrates": { "variables": [{{magistratesVariables}}] }, "crown_court": { "variables": ["case_id"] } } }
                """;
            await run.Blobs.UploadAsync("extracts", $"specs/{name}.json", new MemoryStream(Encoding.UTF8.GetBytes(json)));
            return request with { ShareSpec = $"extracts/specs/{name}.json" };
        }

        var (asks, _) = await run.RunAsync(await WithSpec("asks", "\"case_id\", \"appeal_lodged\", \"age_at_event\""), "specs-1");
        var (asksNot, _) = await run.RunAsync(await WithSpec("asks-not", "\"case_id\", \"plea\""), "specs-2");

        asks.Status.Should().Be(WorkflowStatus.Failed);
        asks.Error.Should().Contain("IngestExtractActivity").And.Contain("extracts/specs/magistrates.csv").And.Contain("dataset magistrates")
            .And.Contain("lacks column(s) appeal_lodged that share 'asks' needs (for what share spec 'extracts/specs/asks.json' asks of magistrates)")
            .And.NotContain("fine_amount", "the share does not read it");
        asksNot.Status.Should().Be(WorkflowStatus.Completed, asksNot.Error);
    }

    [Fact]
    public async Task Run_CaseLinksWithAnExtractLackingAColumnTheLinkerNeeds_FailsAtIngest()
    {
        // The spec does not ask for the date sent to the Crown Court, but the case links (on by default) read it.
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 18);
        EditExtract(Path.Combine(run.ExtractsFolder, "magistrates.csv"), (header, rows) => DropColumn(header, rows, "date_sent_to_crown_court"));
        var request = await run.UploadAsync("links", "v1", only: ["magistrates", "crown_court"]);
        const string json = """{ "share": "links", "version": "v1", "keyId": "test", "datasets": { "magistrates": { "variables": ["case_id"] }, "crown_court": { "variables": ["case_id"] } } }""";
        await run.Blobs.UploadAsync("extracts", "links/spec.json", new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var (state, _) = await run.RunAsync(request with { ShareSpec = "extracts/links/spec.json" }, "links-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("IngestExtractActivity").And.Contain("lacks column(s) date_sent_to_crown_court that share 'links' needs");
    }

    [Fact]
    public async Task Run_AnotherDatasetsFileUnderADatasetsName_FailsAtIngestSayingSo()
    {
        // family_cases.csv copied as probation_requirements.csv: both have a row_id, which is all the profile requires.
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 19);
        File.Copy(Path.Combine(run.ExtractsFolder, "family_cases.csv"), Path.Combine(run.ExtractsFolder, "probation_requirements.csv"), overwrite: true);
        var request = await run.UploadAsync("wrong", "v1", only: ["magistrates", "probation_requirements"]);

        var (state, _) = await run.RunAsync(request, "wrong-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("IngestExtractActivity").And.Contain("extract 'extracts/wrong/probation_requirements.csv' (dataset probation_requirements) lacks column(s) requirement_id,")
            .And.Contain("requirement_type").And.Contain("another dataset");
        (await run.Blobs.GetPropertiesAsync("quarantine", "wrong/wrong-1/probation_requirements.csv")).Should().NotBeNull();
    }

    [Fact]
    public async Task Run_RowsWithAnEmptyRequiredColumn_AreQuarantinedNamingTheColumn_AndTheRunCompletes()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 20);
        var crownRows = 0;
        EditExtract(Path.Combine(run.ExtractsFolder, "crown_court.csv"), (header, rows) =>
        {
            var column = Array.IndexOf(header, "defendant_surname");
            rows[2][column] = string.Empty;
            rows[5][column] = "   "; // spaces only: empty once trimmed, as ingest reads it
            crownRows = rows.Count;
            return (header, rows);
        });
        EditExtract(Path.Combine(run.ExtractsFolder, "magistrates.csv"), (header, rows) =>
        {
            rows[3][Array.IndexOf(header, "first_listing_date")] = string.Empty;
            rows[3][Array.IndexOf(header, "surname")] = string.Empty;
            return (header, rows);
        });
        var request = await run.UploadAsync("required", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, "required-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().Be(3);
        var crown = QuarantinedRows(await run.Blobs.DownloadBytesAsync("quarantine", "required/required-1/crown_court.rejected.csv"));
        crown.Select(r => (r[0], r[1])).Should().Equal(("4", "extracts/required/crown_court.csv: empty required column(s) 'defendant_surname'"), ("7", "extracts/required/crown_court.csv: empty required column(s) 'defendant_surname'"));
        var magistrates = QuarantinedRows(await run.Blobs.DownloadBytesAsync("quarantine", "required/required-1/magistrates.rejected.csv"));
        magistrates.Select(r => r[1]).Should().Equal("extracts/required/magistrates.csv: empty required column(s) 'surname', 'first_listing_date'");
        (await run.PublishedFilesAsync("required", "v1"))["crown_court.csv"].TrimEnd('\n').Split('\n').Should().HaveCount(crownRows - 2 + 1, "the rejected rows are not shared");
    }

    private static List<string[]> QuarantinedRows(byte[] bytes)
    {
        var csv = new CsvReader(new StringReader(Encoding.UTF8.GetString(bytes)), "quarantine");
        csv.ReadRow().Should().StartWith(["source_line", "reason"]);
        var rows = new List<string[]>();
        while (csv.ReadRow() is { } row)
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Rewrites a generated extract through <paramref name="edit"/> (header and rows, parsed).</summary>
    private static void EditExtract(string path, Func<string[], List<string[]>, (string[] Header, List<string[]> Rows)> edit)
    {
        var csv = new CsvReader(new StringReader(File.ReadAllText(path)), "generated");
        var header = csv.ReadRow()!;
        var rows = new List<string[]>();
        while (csv.ReadRow() is { } row)
        {
            rows.Add(row);
        }

        var (newHeader, newRows) = edit(header, rows);
        File.WriteAllText(path, string.Concat(new[] { newHeader }.Concat(newRows).Select(r => ShareCsvWriter.FormatRow(r) + "\n")));
    }

    private static (string[] Header, List<string[]> Rows) DropColumn(string[] header, List<string[]> rows, params string[] columns)
    {
        var keep = Enumerable.Range(0, header.Length).Where(i => !columns.Contains(header[i])).ToArray();
        keep.Should().HaveCount(header.Length - columns.Length, "the extract has every column to drop");
        return (keep.Select(i => header[i]).ToArray(), rows.Select(r => keep.Select(i => r[i]).ToArray()).ToList());
    }

    [Fact]
    public async Task Run_ExtractWithAQuoteNeverClosed_FailsNamingFileAndLine_AndQuarantinesTheWholeFile()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 8);

        // A quote before the last row's postcode: no quote follows it, so it is never closed.
        var (last, postcode) = StrayQuoteAfterAddress(run, lines => lines.Length - 1);
        postcode.Should().NotBeEmpty();
        var request = await run.UploadAsync("quote", "v1", only: ["magistrates", "crown_court"]);

        var (state, _) = await run.RunAsync(request, "quote-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("extracts/quote/crown_court.csv").And.Contain($"line {last + 1}:").And.Contain("never closed").And.Contain("quarantine");
        state.Error.Should().NotContain(postcode);
        var quarantined = await run.Blobs.DownloadBytesAsync("quarantine", "quote/quote-1/crown_court.csv");
        quarantined.Should().Equal(File.ReadAllBytes(Path.Combine(run.ExtractsFolder, "crown_court.csv")), "the whole file waits in quarantine, not one giant row");
        var reason = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "quote/quote-1/crown_court.reason.txt"));
        reason.Should().Contain($"line {last + 1}:").And.NotContain(postcode);
        (reason.Split("extracts/quote/crown_court.csv").Length - 1).Should().Be(1, "the reason names the file once");
        (await run.Blobs.ListPageAsync("srs-transfer", "quote/")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_StrayQuoteClosedOnALaterLine_QuarantinesTheMergedRowSayingSo_AndTheRunCompletes()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 8);

        // The stray quote closes at the next line's address quote: both lines become one row of the wrong width.
        var (row, _) = StrayQuoteAfterAddress(run, lines => Enumerable.Range(1, lines.Length - 2).First(i => lines[i].Contains("\",", StringComparison.Ordinal) && lines[i + 1].Contains('"')));
        var request = await run.UploadAsync("merge", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, "merge-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().Be(1);
        var text = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "merge/merge-1/crown_court.rejected.csv"));
        text.Split('\n')[1].Should().StartWith($"{row + 1},").And.Contain("runs over 2 lines").And.Contain("quote");
    }

    [Fact]
    public async Task Run_RowIdRepeated_QuarantinesTheLaterRowsOnly_AndTheRunCompletes()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 12);
        var path = Path.Combine(run.ExtractsFolder, "crown_court.csv");
        var lines = File.ReadAllLines(path);
        var header = new CsvReader(new StringReader(lines[0]), "header").ReadRow()!;
        var idColumn = ExtractColumnMapping.Create(PipelineProfiles.Get("crown_court", path), header).UniqueIdIndex;
        string Id(int line) => new CsvReader(new StringReader(lines[line]), "row").ReadRow()![idColumn]!;

        // Line 3 again as it is; line 5's id (padded, as trimming reads it) on line 10's fields; and an id that differs
        // from line 7's only in a letter with an accent, which is a different id and is kept.
        string WithId(int line, string id) =>
            ShareCsvWriter.FormatRow(new CsvReader(new StringReader(lines[line]), "row").ReadRow()!.Select((v, i) => i == idColumn ? id : v ?? string.Empty).ToList());
        var extra = new[] { lines[2], WithId(9, $"  {Id(4)} "), WithId(6, Id(6) + "é") };
        var lastOf = lines.Length + extra.Length;
        File.WriteAllLines(path, [.. lines, .. extra]);
        var request = await run.UploadAsync("repeat", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, "repeat-1");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().Be(2);
        var rejected = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "repeat/repeat-1/crown_court.rejected.csv")).TrimEnd('\n').Split('\n');
        rejected.Should().HaveCount(3);
        rejected[1].Should().StartWith($"{lastOf - 2},").And.Contain("row id repeats an earlier row");
        rejected[2].Should().StartWith($"{lastOf - 1},").And.Contain("row id repeats an earlier row");
        var magistrates = File.ReadAllLines(Path.Combine(run.ExtractsFolder, "magistrates.csv")).Length - 1;
        result.RecordsIn.Should().Be(magistrates + lines.Length - 1 + 1, "the rows accepted: every original row and the accented id's");
    }

    [Fact]
    public async Task Run_ExtractWhoseEveryRowIsBroken_FailsNamingItAndKeepsEveryRowInQuarantine()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 9);
        var path = Path.Combine(run.ExtractsFolder, "crown_court.csv");
        var lines = File.ReadAllLines(path);
        File.WriteAllText(path, string.Join("\n", lines.Select((l, i) => i == 0 ? l : l + ",extra")) + "\n");
        var request = await run.UploadAsync("broken", "v1", only: ["magistrates", "crown_court"]);

        var (state, _) = await run.RunAsync(request, "broken-1");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("extracts/broken/crown_court.csv").And.Contain($"no usable rows ({lines.Length - 1} row(s), {lines.Length - 1} quarantined");
        var rejected = Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", "broken/broken-1/crown_court.rejected.csv")).TrimEnd('\n').Split('\n');
        rejected.Should().HaveCount(lines.Length, "a header and every row, each with its line and reason");
        rejected.Skip(1).Should().OnlyContain(r => r.Contains("fields where the header has", StringComparison.Ordinal));
        rejected[1].Should().StartWith("2,");
    }

    [Theory]
    [InlineData('|')]
    [InlineData('\t')]
    public async Task Run_ExtractDelimitedOtherwise_IsReadByItsHeader(char delimiter)
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 10);
        var path = Path.Combine(run.ExtractsFolder, "crown_court.csv");
        var rows = new List<string[]>();
        var csv = new CsvReader(new StringReader(File.ReadAllText(path)), "generated");
        while (csv.ReadRow() is { } row)
        {
            rows.Add(row);
        }

        rows.SelectMany(r => r).Should().NotContain(f => f.Contains(delimiter) || f.Contains('"'), "so the fields need no quotes");
        File.WriteAllText(path, string.Join("\r\n", rows.Select(r => string.Join(delimiter, r))) + "\r\n");
        var request = await run.UploadAsync($"delim{(int)delimiter}", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, $"delim-{(int)delimiter}");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        result!.RecordsRejected.Should().Be(0);
        var share = (await run.PublishedFilesAsync($"delim{(int)delimiter}", "v1"))["crown_court.csv"];
        share.TrimEnd('\n').Split('\n').Should().HaveCount(rows.Count, "every row of the extract is shared, under the header");
    }

    /// <summary>Puts a quote before the postcode (the field after the quoted address) of one line of the
    /// generated Crown Court extract; returns that line's index and the postcode.</summary>
    private static (int Index, string Postcode) StrayQuoteAfterAddress(PipelineTestRun run, Func<string[], int> pick)
    {
        var path = Path.Combine(run.ExtractsFolder, "crown_court.csv");
        var lines = File.ReadAllLines(path);
        var index = pick(lines);
        var at = lines[index].IndexOf("\",", StringComparison.Ordinal) + 2;
        at.Should().BeGreaterThan(1, "the line has a quoted address");
        var postcode = lines[index][at..].Split(',')[0];
        lines[index] = lines[index][..at] + "\"" + lines[index][at..];
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return (index, postcode);
    }

    [Theory]
    [InlineData(DataFirst.Core.Synthetic.ExtractEncoding.Latin1, true)]
    [InlineData(DataFirst.Core.Synthetic.ExtractEncoding.Utf16, false)]
    [InlineData(DataFirst.Core.Synthetic.ExtractEncoding.Utf8WithBom, false)]
    public async Task Run_ExtractInAnotherEncoding_IsReadWhenItSaysSo_ElseItsUndecodableRowsAreQuarantined(DataFirst.Core.Synthetic.ExtractEncoding encoding, bool expectQuarantine)
    {
        var bad = new DataFirst.Core.Synthetic.BadInputOptions { Encodings = new Dictionary<string, DataFirst.Core.Synthetic.ExtractEncoding> { ["magistrates"] = encoding } };
        using var run = await PipelineTestRun.CreateAsync(people: 400, seed: 13, bad);
        var request = await run.UploadAsync($"enc{(int)encoding}", "v1", only: ["magistrates", "crown_court"]);

        var (state, result) = await run.RunAsync(request, $"enc-{encoding}");

        state.Status.Should().Be(WorkflowStatus.Completed, state.Error);
        if (expectQuarantine)
        {
            // Latin-1 bytes of accented names are not UTF-8: those rows wait in quarantine with the reason.
            result!.RecordsRejected.Should().BeGreaterThan(0);
            var quarantined = await run.Blobs.ListPageAsync("quarantine", $"enc{(int)encoding}/");
            Encoding.UTF8.GetString(await run.Blobs.DownloadBytesAsync("quarantine", quarantined.Items[0].Name)).Should().Contain("not valid UTF-8");
        }
        else
        {
            result!.RecordsRejected.Should().Be(0, "a byte order mark says how the file is encoded");
        }
    }

    [Fact]
    public async Task Run_AlreadyPublishedVersion_IsRefusedBeforeAnythingIsWritten()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 150, seed: 4);
        var request = await run.UploadAsync("again", "v1", only: ["magistrates", "crown_court"]);
        (await run.RunAsync(request, "again-1")).State.Status.Should().Be(WorkflowStatus.Completed);

        var (state, _) = await run.RunAsync(request, "again-2");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("already published");
        (await run.Blobs.ListPageAsync("working", "again-2/")).Items.Should().BeEmpty();
    }

    private static async Task<Dictionary<(string, string), string>> PersonIds(PipelineTestRun run, string share, string runId) =>
        (await new DataFirst.Core.Deidentification.PersonIdMappingStore(run.Blobs).LoadRunAsync(share, runId)).ToDictionary(kv => (kv.Key.Dataset, kv.Key.RowId), kv => kv.Value);

    private static List<string[]> ReadCsv(string text) => ReadCsv(text, out _);

    private static List<string[]> ReadCsv(string text, out string[] header) => IdentifierScanner.ReadCsv(text, out header);
}

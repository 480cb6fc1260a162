using System.Text.Json;
using DataFirst.Core.Catalogue;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Tests.Deidentification;

namespace DataFirst.Core.Tests.Catalogue;

public sealed class CatalogueBuilderTests
{
    private static async Task<CatalogueInput> InputAsync()
    {
        var profiles = ShareFixture.Profiles();
        var spec = ShareSpec.Parse(ShareFixture.SpecJson, profiles);
        var extract = ShareFixture.Generate(3, 20).Csv("magistrates");
        var result = await ShareDatasetWriter.WriteAsync(profiles[0], spec, new StringReader(extract), new PersonIdLookup(new Dictionary<RecordKey, string>()), new Pseudonymiser(ShareFixture.Key()), new StringWriter());
        return new CatalogueInput(spec, profiles, [result], new LinkageSummary { Threshold = 0.9, ModelSummary = "names, dob, postcode" }, [CatalogueBuilder.LinkingTable(10), CatalogueBuilder.CaseLinkTable(4)], new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    }

    [Fact]
    public async Task BuildCatalogue_DescribesDatasetAndVariables()
    {
        using var doc = JsonDocument.Parse(CatalogueBuilder.BuildCatalogue(await InputAsync()));
        var root = doc.RootElement;

        root.GetProperty("share").GetString().Should().Be("proj-0001");
        var ds = root.GetProperty("datasets")[0];
        ds.GetProperty("name").GetString().Should().Be("magistrates");
        ds.GetProperty("sourceSystem").GetString().Should().Be("magistrates test system");
        ds.GetProperty("rowCount").GetInt64().Should().BeGreaterThan(0);
        ds.GetProperty("coverage").GetProperty("from").GetString().Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}$");
        ds.GetProperty("processingNotes").GetProperty("threshold").GetDouble().Should().Be(0.9);
        ds.GetProperty("processingNotes").GetProperty("withheldColumns").EnumerateArray().Select(e => e.GetString()).Should().Contain(["surname", "date_of_birth", "postcode"]);
        var variables = ds.GetProperty("variables").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        variables.Keys.Should().Contain(["person_id", "row_id", "court_code", "age_at_event"]).And.NotContain(["surname", "forenames"]);
        var court = variables["court_code"];
        court.GetProperty("type").GetString().Should().Be("categorical");
        court.GetProperty("values").EnumerateArray().Should().Contain(v => v.GetProperty("code").GetString() == "C01" && v.GetProperty("label").GetString() == "Northtown magistrates' court");
        variables["date_sent_to_crown_court"].GetProperty("percentMissing").GetDouble().Should().BeGreaterThan(0);
        root.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("file").GetString()).Should().Equal("linking.csv", "case_links.csv");
    }

    [Fact]
    public async Task BuildCatalogue_CountsRowsRejectedAtIngest_AndValuesWithheld()
    {
        var input = await InputAsync();
        var result = input.Datasets[0];
        var court = result.Variables.Single(v => v.Name == "court_code");
        input = input with
        {
            Datasets = [result with { RowsRejectedAtIngest = 3, Variables = result.Variables.Select(v => v == court ? v with { Withheld = 2 } : v).ToList() }],
        };

        using var doc = JsonDocument.Parse(CatalogueBuilder.BuildCatalogue(input));
        var ds = doc.RootElement.GetProperty("datasets")[0];
        var notes = ds.GetProperty("processingNotes");

        notes.GetProperty("rowsRejectedAtIngest").GetInt64().Should().Be(3);
        notes.GetProperty("deduplication").GetString().Should().StartWith("3 row(s) of the extract were rejected at ingest");
        notes.GetProperty("valuesWithheld").GetString().Should().Contain("court_code 2");
        var variables = ds.GetProperty("variables").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        variables["court_code"].GetProperty("withheld").GetInt64().Should().Be(2);
        variables["hearing_date"].TryGetProperty("withheld", out _).Should().BeFalse("a variable without withheld values does not say so");
    }

    [Fact]
    public async Task BuildDataPackage_IsFrictionlessTabularPackage()
    {
        using var doc = JsonDocument.Parse(CatalogueBuilder.BuildDataPackage(await InputAsync()));
        var root = doc.RootElement;

        root.GetProperty("profile").GetString().Should().Be("tabular-data-package");
        var resources = root.GetProperty("resources").EnumerateArray().ToList();
        resources.Select(r => r.GetProperty("path").GetString()).Should().Equal("magistrates.csv", "linking.csv", "case_links.csv");
        var fields = resources[0].GetProperty("schema").GetProperty("fields").EnumerateArray().ToList();
        fields.Select(f => f.GetProperty("name").GetString()).Should().StartWith(["person_id", "row_id", "defendant_id"]);
        fields.Single(f => f.GetProperty("name").GetString() == "hearing_date").GetProperty("type").GetString().Should().Be("date");
        fields.Single(f => f.GetProperty("name").GetString() == "age_at_event").GetProperty("type").GetString().Should().Be("integer");
        fields.Single(f => f.GetProperty("name").GetString() == "sex").GetProperty("constraints").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Contain(["M", "F"]);
        resources[0].GetProperty("encoding").GetString().Should().Be("utf-8");
    }

    [Fact]
    public async Task BuildReadme_ListsFilesAndExplainsPersonId()
    {
        var readme = CatalogueBuilder.BuildReadme(await InputAsync());

        readme.Should().Contain("`magistrates.csv`").And.Contain("`linking.csv`").And.Contain("`manifest.json`").And.Contain("person_id").And.Contain("SHA-256");
    }
}

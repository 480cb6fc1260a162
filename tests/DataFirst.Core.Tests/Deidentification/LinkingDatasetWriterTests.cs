using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class LinkingDatasetWriterTests
{
    [Fact]
    public async Task WriteAsync_OnlyPersonLevelDatasetsOfTheShare_WithTheDatasetsRowPseudonyms()
    {
        var profiles = ShareFixture.Profiles();
        var spec = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] }, "family_events": { "variables": "*" } }, "outputs": { "caseLinks": false } }""", profiles);
        var p = new Pseudonymiser(ShareFixture.Key());
        var output = new StringWriter();
        var mapping = new Dictionary<RecordKey, string>
        {
            [new("magistrates", "MR1")] = "pA",
            [new("prisons", "PR1")] = "pA",
            [new("family_events", "FV1")] = "pA",
        };

        var rows = await LinkingDatasetWriter.WriteAsync(mapping, spec, profiles, p, output);

        rows.Should().Be(1, "prisons is not in the share and family_events is not person-level");
        output.ToString().Should().Be($"person_id,dataset,row_id\n{p.PersonId("pA")},magistrates,{p.Pseudonymise("magistrates.row_id", "MR1")}\n");
    }
}

using System.Text;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.CaseLinking;

public sealed class CaseLinkProjectionTests
{
    [Fact]
    public async Task LinkAsync_FromTheProjections_GivesTheLinksOfTheWholeExtracts()
    {
        var files = await new ExtractGenerator().GenerateToMemoryAsync(new GeneratorOptions { People = 4000, Seed = 21, Datasets = [ExtractGenerator.Magistrates, ExtractGenerator.CrownCourt] }, CancellationToken.None);
        var mag = Encoding.UTF8.GetString(files.Extract(ExtractGenerator.Magistrates));
        var crown = Encoding.UTF8.GetString(files.Extract(ExtractGenerator.CrownCourt));
        var persons = new Dictionary<RecordKey, string>();
        using (var truth = new StreamReader(files.Open(ExtractGenerator.TruthPersonsPath)))
        {
            var csv = new CsvReader(truth, "persons");
            csv.ReadRow();
            while (csv.ReadRow() is { } row)
            {
                persons[new RecordKey(row[0], row[1])] = row[2];
            }
        }

        var people = new PersonIdLookup(persons);
        var whole = await CaseLinker.LinkAsync(new StringReader(mag), new StringReader(crown), people);
        var (magProjection, magRows) = Project(ExtractGenerator.Magistrates, mag);
        var (crownProjection, crownRows) = Project(ExtractGenerator.CrownCourt, crown);
        var projected = await CaseLinker.LinkAsync(new StringReader(magProjection), new StringReader(crownProjection), people);

        whole.Links.Should().HaveCountGreaterThan(50);
        projected.Should().BeEquivalentTo(whole, o => o.WithStrictOrdering());
        magRows.Should().BeLessThan(mag.Split('\n').Length / 3, "only magistrates' cases with a route to the Crown Court are kept");
        crownRows.Should().Be(crown.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1, "every Crown Court case is kept");
        magProjection.Should().NotContainAny("forenames", "surname", "date_of_birth", "postcode");
    }

    [Fact]
    public void For_OtherDatasets_IsNull_AndAbsentColumnsAreLeftOut()
    {
        CaseLinkProjection.For("prisons", ["row_id", "case_id"]).Should().BeNull();
        var projection = CaseLinkProjection.For("magistrates", ["Row_ID", "forenames", "case_id", "sent_to_crown_court", "date_sent_to_crown_court", "court_code"])!;

        projection.Header.Should().Equal("Row_ID", "case_id", "sent_to_crown_court", "date_sent_to_crown_court", "court_code");
    }

    private static (string Text, int Rows) Project(string dataset, string extract)
    {
        var csv = new CsvReader(new StringReader(extract), dataset, trimUnquoted: true);
        var header = csv.ReadRow()!;
        var projection = CaseLinkProjection.For(dataset, header)!;
        var text = ShareCsvWriter.AppendRow(new StringBuilder(), projection.Header).Append('\n');
        var rows = 0;
        while (csv.ReadRowInPlace() is { } row)
        {
            if (projection.Project(row) is { } cells)
            {
                ShareCsvWriter.AppendRow(text, cells).Append('\n');
                rows++;
            }
        }

        return (text.ToString(), rows);
    }
}

using System.Text;
using System.Text.Json;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class DisclosureRiskReportTests
{
    [Fact]
    public async Task AnalyseAsync_CountsRecordsInCombinationsBelowK()
    {
        var csv = new StringBuilder("person_id,row_id,sex,ethnicity,age_at_event,court_code,offence_code\n");
        for (var i = 0; i < 12; i++)
        {
            csv.Append(CultureInfo($"p{i},r{i},M,W1,{22 + (i % 3)},C01,X\n"));
        }

        csv.Append("p20,r20,F,B1,45,C02,X\np21,r21,F,B1,47,C02,X\np22,r22,F,A1,71,C02,X\n");

        var risk = await DisclosureRiskReport.AnalyseAsync("magistrates", new StringReader(csv.ToString()), k: 10);

        risk.QuasiIdentifiers.Should().Equal("sex", "ethnicity", "age_at_event", "court_code");
        risk.Records.Should().Be(15);
        risk.Combinations.Should().Be(3);
        risk.CombinationsBelowK.Should().Be(2);
        risk.RecordsBelowK.Should().Be(3);
        risk.PercentRecordsBelowK.Should().Be(20);
        risk.SmallestCombinations[0].Values["age_at_event"].Should().Be("70+");
        risk.SmallestCombinations[1].Values["age_at_event"].Should().Be("40-49");
    }

    [Theory]
    [InlineData(ExtractGenerator.Magistrates)]
    [InlineData(ExtractGenerator.Prisons)]
    public async Task Counter_WhileWriting_GivesTheFiguresOfTheWrittenFileReadBack(string dataset)
    {
        var files = await new ExtractGenerator().GenerateToMemoryAsync(new GeneratorOptions { People = 3000, Seed = 21, Datasets = [dataset] }, CancellationToken.None);
        var profile = PipelineProfiles.Catalog.Get(dataset);
        var spec = ShareFixture.EveryShareableVariable(profile, disclosureK: 5);
        var counter = new DisclosureRiskCounter(profile, spec.DisclosureK);
        var output = new StringWriter();
        using (var reader = new StreamReader(new MemoryStream(files.Extract(dataset)), Encoding.UTF8))
        {
            await ShareDatasetWriter.WriteAsync(profile, spec, reader, null, new Pseudonymiser(ShareFixture.Key()), output, counter);
        }

        var whileWriting = counter.Result();
        var text = output.ToString();
        var columns = text[..text.IndexOf('\n', StringComparison.Ordinal)].Split(',');
        var readBack = await DisclosureRiskReport.AnalyseAsync(dataset, new StringReader(text), spec.DisclosureK, DisclosureRiskReport.QuasiIdentifiersFor(profile, columns));

        whileWriting.Should().BeEquivalentTo(readBack, o => o.WithStrictOrdering());
        whileWriting.QuasiIdentifiers.Should().NotBeEmpty();
        whileWriting.Records.Should().BeGreaterThan(300);
        whileWriting.CombinationsBelowK.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Counter_RowBeforeHeader_IsRefused()
    {
        var act = () => new DisclosureRiskCounter("d", 5).Row(["M"]);
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task AnalyseAsync_KBelowTwo_IsRefused()
    {
        var act = () => DisclosureRiskReport.AnalyseAsync("d", new StringReader("a\n1\n"), 1);

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*$.disclosure.k*");
    }

    [Theory]
    [InlineData("15", "under 18")]
    [InlineData("18", "18-20")]
    [InlineData("24", "21-24")]
    [InlineData("29", "25-29")]
    [InlineData("30", "30-39")]
    [InlineData("39", "30-39")]
    [InlineData("40", "40-49")]
    [InlineData("59", "50-59")]
    [InlineData("60", "60-69")]
    [InlineData("69", "60-69")]
    [InlineData("70", "70+")]
    [InlineData("88", "70+")]
    [InlineData("", "unknown")]
    public void AgeBand_Bands(string age, string band) => DisclosureRiskReport.AgeBand(age).Should().Be(band);

    [Fact]
    public void Merge_PartOfAnotherCounter_IsRefused()
    {
        var a = new DisclosureRiskCounter("d", 5, ["sex"]);
        var b = new DisclosureRiskCounter("d", 5, ["sex"]);
        a.Header(["sex"]);
        b.Header(["sex"]);

        var act = () => a.Merge(b.Part());

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Parts_MergedBack_CountAsOneCounter()
    {
        var whole = new DisclosureRiskCounter("d", 3, ["sex", "age"]);
        var split = new DisclosureRiskCounter("d", 3, ["sex", "age"]);
        whole.Header(["sex", "age"]);
        split.Header(["sex", "age"]);
        var parts = new[] { split.Part(), split.Part() };
        for (var i = 0; i < 40; i++)
        {
            string[] row = [i % 3 == 0 ? "F" : "M", (17 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)];
            whole.Row(row);
            parts[i % 2].Row(row);
        }

        split.Merge(parts[0]);
        split.Merge(parts[1]);

        split.Result().Should().BeEquivalentTo(whole.Result(), o => o.WithStrictOrdering());
        split.Result().Records.Should().Be(40);
    }

    [Fact]
    public async Task ToJson_MarksReportInternal()
    {
        var risk = await DisclosureRiskReport.AnalyseAsync("d", new StringReader("sex\nM\n"), 10);

        using var doc = JsonDocument.Parse(DisclosureRiskReport.ToJson("s", "v", [risk]));

        doc.RootElement.GetProperty("internalOnly").GetString().Should().Contain("Never share");
        doc.RootElement.GetProperty("datasets")[0].GetProperty("recordsBelowK").GetInt64().Should().Be(1);
    }

    private static string CultureInfo(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void QuasiIdentifiersFor_UsesProfileRolesAndKinds()
    {
        var profile = new DataFirst.Core.Profiles.DatasetProfile
        {
            Name = "crown_court", Title = "t", Description = "d", SourceSystem = "s", UniqueIdColumn = "row_id",
            Columns =
            [
                new() { Name = "row_id", Type = DataFirst.Core.Profiles.ColumnType.String, Role = DataFirst.Core.Profiles.ColumnRole.SystemId, Description = "d" },
                new() { Name = "defendant_sex", Type = DataFirst.Core.Profiles.ColumnType.Categorical, Role = DataFirst.Core.Profiles.ColumnRole.SpecialCategory, IdentifierKind = "sex", Description = "d" },
                new() { Name = "defendant_ethnicity", Type = DataFirst.Core.Profiles.ColumnType.Categorical, Role = DataFirst.Core.Profiles.ColumnRole.SpecialCategory, Description = "d" },
                new() { Name = "age_at_receipt", Type = DataFirst.Core.Profiles.ColumnType.Integer, Role = DataFirst.Core.Profiles.ColumnRole.SpecialCategory, Description = "d" },
                new() { Name = "committing_court_code", Type = DataFirst.Core.Profiles.ColumnType.Categorical, Role = DataFirst.Core.Profiles.ColumnRole.Variable, Description = "d" },
                new() { Name = "disposal", Type = DataFirst.Core.Profiles.ColumnType.Categorical, Role = DataFirst.Core.Profiles.ColumnRole.Variable, Description = "d" },
            ],
        };

        var qis = DisclosureRiskReport.QuasiIdentifiersFor(profile, ["person_id", "row_id", "defendant_sex", "defendant_ethnicity", "age_at_receipt", "committing_court_code", "disposal"]);

        qis.Should().Equal("defendant_sex", "defendant_ethnicity", "age_at_receipt", "committing_court_code");
    }

    [Fact]
    public async Task AnalyseAsync_AnyAgeColumn_IsBanded()
    {
        var risk = await DisclosureRiskReport.AnalyseAsync("d", new StringReader("age_at_receipt\n22\n23\n"), 2, ["age_at_receipt"]);

        risk.Combinations.Should().Be(1);
    }
}

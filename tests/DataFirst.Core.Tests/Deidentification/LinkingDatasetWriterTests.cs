using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class LinkingDatasetWriterTests
{
    private const string Extract =
        "row_id,defendant_id,case_id,forenames,surname,date_of_birth,address,postcode,sex,ethnicity,court_code,first_listing_date,hearing_date,offence_code,offence_group,sent_to_crown_court,date_sent_to_crown_court,outcome,disposal\n" +
        "MR1,MD1,MC1,Zorvax,Quixlox,1990-05-20,\"1 Zel Street, Moxton\",ZQ1 2QX,M,W1,C01,2020-05-01,2020-05-19,TH68001,TH,N,,CONVICTED,Fine\n" +
        "MR2,MD2,MC2,Jevwyn,Krupyx,,\"2 Riq Road\",,F,ZZ,C02,2021-01-01,,CJ88116,CJ,Y,2021-01-08,SENT,Fine\n" +
        "MR1,MD1,MC1,Zorvax,Quixlox,1990-05-20,\"1 Zel Street, Moxton\",ZQ1 2QX,M,W1,C01,2020-05-01,2020-05-19,TH68001,TH,N,,CONVICTED,Fine\n" +
        "MR3,MD3,MC3,Ylvra,Okkam,1985-01-02,\"3 Riq Road\",,F,W1,C02,2021-01-01,,CJ88116,CJ,N,,SENT,Fine\n";

    [Theory]
    [InlineData(1, 2)]
    [InlineData(int.MaxValue, 1)]
    public async Task RowsOf_PersonLevelShareFile_LinksEachRowWithAPersonIdByTheFilesOwnPseudonyms(int batchRows, int parallelism)
    {
        var profiles = ShareFixture.Profiles();
        var spec = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } }, "outputs": { "caseLinks": false } }""", profiles);
        var p = new Pseudonymiser(ShareFixture.Key());
        var lookup = new PersonIdLookup(new Dictionary<RecordKey, string> { [new("magistrates", "MR1")] = "pA", [new("magistrates", "MR3")] = "pB" });
        var share = new StringWriter();
        var linking = new StringWriter();
        var rows = LinkingDatasetWriter.RowsOf("magistrates", linking);

        await ShareDatasetWriter.WriteAsync(profiles[0], spec, new StringReader(Extract), lookup, p, share, rows, batchRows, parallelism, CancellationToken.None);

        rows.Rows.Should().Be(2, "MR2 has no person id and the repeated MR1 is dropped");
        linking.ToString().Should().Be(
            $"{p.PersonId("pA")},magistrates,{p.Pseudonymise("magistrates.row_id", "MR1")}\n" +
            $"{p.PersonId("pB")},magistrates,{p.Pseudonymise("magistrates.row_id", "MR3")}\n");
        var shareRows = share.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','));
        linking.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).Select(l => (l[0], l[2]))
            .Should().BeSubsetOf(shareRows.Select(r => (r[0], r[1])));
        LinkingDatasetWriter.HeaderLine.Should().Be("person_id,dataset,row_id\n");
    }

    [Fact]
    public void RowsOf_FileWithoutPersonIds_IsRefused()
    {
        var act = () => LinkingDatasetWriter.RowsOf("family_events", new StringWriter()).Header(["row_id", "court_code"]);

        act.Should().Throw<DeidentificationException>().WithMessage("*person-level*");
    }

    [Fact]
    public void Combine_BothSinks_SeeEveryRowAndMergeTheirParts()
    {
        var linking = new StringWriter();
        var rows = LinkingDatasetWriter.RowsOf("d", linking);
        var risk = new DisclosureRiskCounter("d", 2, ["sex"]);
        var both = ShareRowSinks.Combine(risk, null, rows)!;
        both.Header(["person_id", "row_id", "sex"]);
        var part = both.Part();

        part.Row(["p1", "r1", "F"]);
        both.Row(["p0", "r0", "M"]);
        both.Merge(part);

        linking.ToString().Should().Be("p0,d,r0\np1,d,r1\n");
        risk.Result().Records.Should().Be(2);
        ShareRowSinks.Combine(null, risk).Should().BeSameAs(risk);
        ShareRowSinks.Combine().Should().BeNull();
    }
}

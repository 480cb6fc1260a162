using System.Text;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Tests.CaseLinking;

public sealed class CaseLinkerTests
{
    private const string MagHeader = "row_id,case_id,court_code,offence_code,offence_group,sent_to_crown_court,date_sent_to_crown_court\n";
    private const string CrownHeader = "row_id,case_id,receipt_type,receipt_date,committing_court_code,offence_code\n";

    private static PersonIdLookup People(params (string Dataset, string Row, string Person)[] rows) =>
        new(rows.ToDictionary(r => new RecordKey(r.Dataset, r.Row), r => r.Person));

    private static Task<CaseLinkResult> Link(string mag, string crown, PersonIdLookup people, CaseLinkingOptions? options = null) =>
        CaseLinker.LinkAsync(new StringReader(MagHeader + mag), new StringReader(CrownHeader + crown), people, options);

    [Fact]
    public async Task LinkAsync_SentCaseSamePersonCourtAndWindow_Links()
    {
        var result = await Link(
            "m1,MC1,C01,TH1,TH,Y,2020-01-10\nm2,MC2,C01,TH1,TH,N,\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\n",
            People(("magistrates", "m1", "P"), ("magistrates", "m2", "P"), ("crown_court", "c1", "P")));

        result.Links.Should().ContainSingle().Which.Should().Be(new CaseLink("P", "KC1", "MC1", 10, true, true, "court+offence"));
        result.CrownCases.Should().Be(1);
        result.MagistratesCasesSent.Should().Be(1);
    }

    [Fact]
    public async Task LinkAsync_DifferentPerson_NeverLinks()
    {
        var result = await Link(
            "m1,MC1,C01,TH1,TH,Y,2020-01-10\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\n",
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "Q")));

        result.Links.Should().BeEmpty();
    }

    [Theory]
    [InlineData("2020-01-09")]
    [InlineData("2020-06-01")]
    public async Task LinkAsync_ReceiptBeforeSendingOrAfterWindow_DoesNotLink(string receipt)
    {
        var result = await Link(
            "m1,MC1,C01,TH1,TH,Y,2020-01-10\n",
            $"c1,KC1,ST,{receipt},C01,TH1\n",
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "P")));

        result.Links.Should().BeEmpty();
    }

    [Fact]
    public async Task LinkAsync_TwoCandidates_PrefersCourtThenOffenceThenShortestGap()
    {
        var people = People(("magistrates", "m1", "P"), ("magistrates", "m2", "P"), ("magistrates", "m3", "P"), ("crown_court", "c1", "P"));

        var result = await Link(
            "m1,MC1,C02,TH1,TH,Y,2020-01-15\nm2,MC2,C01,XX9,XX,Y,2020-01-12\nm3,MC3,C01,TH1,TH,Y,2020-01-05\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\n",
            people);

        result.Links.Should().ContainSingle().Which.MagistratesCaseId.Should().Be("MC3", "court match beats the closer other-court case, and offence agreement beats the shorter gap");
    }

    [Fact]
    public async Task LinkAsync_JoinedCasesSentSameDay_LinksBoth()
    {
        var people = People(("magistrates", "m1", "P"), ("magistrates", "m2", "P"), ("crown_court", "c1", "P"));

        var result = await Link(
            "m1,MC1,C01,TH1,TH,Y,2020-01-10\nm2,MC2,C01,CJ2,CJ,Y,2020-01-10\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\n",
            people);

        result.Links.Select(l => l.MagistratesCaseId).Should().Equal("MC1", "MC2");
        result.Links[1].Rule.Should().Contain("joined");
    }

    [Fact]
    public async Task LinkAsync_OtherCourtWithoutOffenceAgreement_DoesNotLink()
    {
        var result = await Link(
            "m1,MC1,C02,CJ2,CJ,Y,2020-01-10\n",
            "c1,KC1,AP,2020-01-20,C01,TH1\n",
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "P")));

        result.Links.Should().BeEmpty();
    }

    [Fact]
    public async Task LinkAsync_OtherCourtWithOffenceAgreement_LinksWithRuleSaid()
    {
        var result = await Link(
            "m1,MC1,C02,TH1,TH,Y,2020-01-10\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\n",
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "P")));

        result.Links.Should().ContainSingle().Which.Rule.Should().Be("offence-without-court+offence");
    }

    [Fact]
    public async Task LinkAsync_OneMagistratesCaseToTwoCrownCases_LinksBoth()
    {
        var result = await Link(
            "m1,MC1,C01,TH1,TH,Y,2020-01-10\n",
            "c1,KC1,ST,2020-01-20,C01,TH1\nc2,KC2,CS,2020-02-01,C01,TH1\n",
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "P"), ("crown_court", "c2", "P")));

        result.Links.Select(l => l.CrownCaseId).Should().Equal("KC1", "KC2");
    }

    [Fact]
    public async Task LinkAsync_SentWithoutDateSent_FallsBackToHearingDate()
    {
        var result = await CaseLinker.LinkAsync(
            new StringReader("row_id,case_id,court_code,hearing_date,sent_to_crown_court,date_sent_to_crown_court\nm1,MC1,C01,2020-01-10,Y,\n"),
            new StringReader(CrownHeader + "c1,KC1,ST,2020-01-20,C01,TH1\n"),
            People(("magistrates", "m1", "P"), ("crown_court", "c1", "P")));

        result.Links.Should().ContainSingle().Which.DaysSentToReceipt.Should().Be(10);
    }

    [Fact]
    public async Task LinkAsync_MissingRequiredColumn_ErrorNamesIt()
    {
        var act = () => CaseLinker.LinkAsync(new StringReader("row_id,case_id\n"), new StringReader(CrownHeader), People());

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*'court_code'*");
    }

    [Fact]
    public async Task Evaluate_PrecisionAndRecall()
    {
        var truth = await CaseLinkEvaluation.ReadTruthAsync(new StringReader("crown_case_id,magistrates_case_id\nK1,M1\nK2,M2\n"));
        CaseLink L(string c, string m) => new("P", c, m, 1, true, true, "court");

        var eval = CaseLinkEvaluation.Evaluate([L("K1", "M1"), L("K2", "M9")], truth);

        eval.Should().Be(new CaseLinkEvaluation(2, 2, 1, 0.5, 0.5));
    }

    [Fact]
    public async Task CaseLinkTableWriter_UsesTheShareFilesPseudonyms()
    {
        var profiles = Tests.Deidentification.ShareFixture.Profiles();
        var spec = ShareSpec.Parse(Tests.Deidentification.ShareFixture.SpecJson, profiles);
        var p = new Pseudonymiser(Tests.Deidentification.ShareFixture.Key());
        var output = new StringWriter();

        var rows = await CaseLinkTableWriter.WriteAsync([new CaseLink("P", "KC1", "MC1", 3, true, false, "court")], spec, profiles[0], profiles[1], p, output);

        rows.Should().Be(1);
        output.ToString().Split('\n')[1].Should().Be($"{p.PersonId("P")},{p.Pseudonymise("case_id", "KC1")},{p.Pseudonymise("case_id", "MC1")},3,Y,N,court");
    }
}

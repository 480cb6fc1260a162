using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.CaseLinking;

public sealed class CaseLinkerTests
{
    private const string MagHeader = "row_id,case_id,court_code,offence_code,offence_group,hearing_date,sent_to_crown_court,date_sent_to_crown_court,committed_for_sentence,date_committed_for_sentence,appeal_lodged,sentence_date\n";
    private const string CrownHeader = "row_id,case_id,receipt_type,receipt_date,committing_court_code,offence_code\n";

    private static PersonIdLookup People(params (string Dataset, string Row, string Person)[] rows) =>
        new(rows.ToDictionary(r => new RecordKey(r.Dataset, r.Row), r => r.Person));

    private static PersonIdLookup OnePerson(int mag, int crown) =>
        new(Enumerable.Range(1, mag).Select(i => new RecordKey("magistrates", $"m{i}"))
            .Concat(Enumerable.Range(1, crown).Select(i => new RecordKey("crown_court", $"c{i}")))
            .ToDictionary(k => k, _ => "P"));

    private static string Sent(int row, string caseId, string court, string date, string offence = "TH1") => $"m{row},{caseId},{court},{offence},{offence[..2]},{date},Y,{date},N,,N,\n";

    private static Task<CaseLinkResult> Link(string mag, string crown, PersonIdLookup people, CaseLinkingOptions? options = null) =>
        CaseLinker.LinkAsync(new StringReader(MagHeader + mag), new StringReader(CrownHeader + crown), people, options);

    [Fact]
    public async Task LinkAsync_SentCaseSamePersonCourtAndWindow_Links()
    {
        var result = await Link(
            Sent(1, "MC1", "C01", "2020-01-10") + "m2,MC2,C01,TH1,TH,2020-01-10,N,,N,,N,2020-01-10\n",
            "c1,KC1,T,2020-01-20,C01,TH1\n",
            OnePerson(2, 1));

        result.Links.Should().ContainSingle().Which.Should().Be(new CaseLink("P", "KC1", "MC1", 10, true, true, "sent+court+offence"));
        result.CrownCases.Should().Be(1);
        result.MagistratesCasesToCrownCourt.Should().Be(1);
    }

    [Fact]
    public async Task LinkAsync_DifferentPerson_NeverLinks()
    {
        var result = await Link(Sent(1, "MC1", "C01", "2020-01-10"), "c1,KC1,T,2020-01-20,C01,TH1\n", People(("magistrates", "m1", "P"), ("crown_court", "c1", "Q")));

        result.Links.Should().BeEmpty();
    }

    [Theory]
    [InlineData("2020-01-09")]
    [InlineData("2021-02-01")]
    public async Task LinkAsync_ReceiptBeforeSendingOrAfterWindow_DoesNotLink(string receipt)
    {
        var result = await Link(Sent(1, "MC1", "C01", "2020-01-10"), $"c1,KC1,T,{receipt},C01,TH1\n", OnePerson(1, 1));

        result.Links.Should().BeEmpty();
    }

    [Fact]
    public async Task LinkAsync_CasesSentWeeksApartFromTwoCourts_AllJoinTheNextReceipt()
    {
        var result = await Link(
            Sent(1, "MC1", "C01", "2020-01-10") + Sent(2, "MC2", "C02", "2020-02-15", "CJ2") + Sent(3, "MC3", "C01", "2020-03-20"),
            "c1,KC1,T,2020-03-22,C01,TH1\nc2,KC2,T,2020-09-01,C01,TH1\n",
            OnePerson(3, 2));

        result.Links.Select(l => (l.CrownCaseId, l.MagistratesCaseId)).Should().Equal(("KC1", "MC1"), ("KC1", "MC2"), ("KC1", "MC3"));
        result.Links.Single(l => l.MagistratesCaseId == "MC2").Rule.Should().Be("sent+other-court");
    }

    [Fact]
    public async Task LinkAsync_SplitCrownCase_BothLinkToTheMagistratesCase()
    {
        var result = await Link(Sent(1, "MC1", "C01", "2020-01-10"), "c1,KC1,T,2020-01-12,C01,TH1\nc2,KC2,T,2020-01-12,C01,XX9\n", OnePerson(1, 2));

        result.Links.Select(l => l.CrownCaseId).Should().Equal("KC1", "KC2");
    }

    [Fact]
    public async Task LinkAsync_SameDayReceipts_PreferTheCommittingCourt()
    {
        var result = await Link(Sent(1, "MC1", "C01", "2020-01-10"), "c1,KC1,T,2020-01-12,C02,TH1\nc2,KC2,T,2020-01-12,C01,TH1\n", OnePerson(1, 2));

        result.Links.Should().ContainSingle().Which.CrownCaseId.Should().Be("KC2");
    }

    [Fact]
    public async Task LinkAsync_CasesOverSeveralRows_MatchOnAnyOfTheirCourtsAndOffences_IgnoringCaseAndPadding()
    {
        // KC1's rows name three committing courts and two offences; the match is on the third court and the second
        // offence, written in lower case with spaces. KC2, received the same day, shares no court: only KC1 is linked.
        var result = await Link(
            Sent(1, "MC1", "C09", "2020-01-10", "BU2") + Sent(2, "MC1", "C02", "2020-01-10", "TH1"),
            "c1,KC1,T,2020-01-12,C05,XX1\nc2,KC1,T,2020-01-12,C07,XX1\nc3,KC1,T,2020-01-12, c02 , th1 \nc4,KC2,T,2020-01-12,C05,TH1\n",
            OnePerson(2, 4));

        result.Links.Should().ContainSingle().Which.Should().Be(new CaseLink("P", "KC1", "MC1", 2, true, true, "sent+court+offence"));
    }

    [Fact]
    public async Task LinkAsync_RoutesMatchReceiptTypes()
    {
        var mag =
            "m1,MC1,C01,TH1,TH,2020-01-10,N,,Y,2020-01-10,N,\n" +   // committed for sentence
            "m2,MC2,C01,TH1,TH,2020-01-11,N,,N,,Y,2020-01-11\n";   // appeal against sentence of 2020-01-11
        var crown =
            "c1,KC1,S,2020-01-14,C01,TH1\n" +
            "c2,KC2,A,2020-02-01,C01,TH1\n";

        var result = await Link(mag, crown, OnePerson(2, 2));

        result.Links.Select(l => (l.CrownCaseId, l.MagistratesCaseId, l.Rule)).Should().Equal(("KC1", "MC1", "committed+court+offence"), ("KC2", "MC2", "appeal+court+offence"));
    }

    [Fact]
    public async Task LinkAsync_UnknownReceiptType_AcceptsAnyRoute()
    {
        var result = await Link("m1,MC1,C01,TH1,TH,2020-01-10,N,,Y,2020-01-10,N,\n", "c1,KC1,X,2020-01-14,C01,TH1\n", OnePerson(1, 1));

        result.Links.Should().ContainSingle();
    }

    [Fact]
    public async Task LinkAsync_OneMagistratesCaseGoesToTheFirstReceiptOnly()
    {
        var result = await Link(Sent(1, "MC1", "C01", "2020-01-10"), "c1,KC1,T,2020-01-20,C01,TH1\nc2,KC2,T,2020-02-01,C01,TH1\n", OnePerson(1, 2));

        result.Links.Should().ContainSingle().Which.CrownCaseId.Should().Be("KC1");
    }

    [Fact]
    public async Task LinkAsync_SentWithoutDateSent_FallsBackToHearingDate()
    {
        var result = await Link("m1,MC1,C01,TH1,TH,2020-01-10,Y,,N,,N,\n", "c1,KC1,T,2020-01-20,C01,TH1\n", OnePerson(1, 1));

        result.Links.Should().ContainSingle().Which.DaysToReceipt.Should().Be(10);
    }

    [Fact]
    public async Task LinkAsync_OptionalColumnsAbsent_StillLinksSentCases()
    {
        var result = await CaseLinker.LinkAsync(
            new StringReader("row_id,case_id,court_code,sent_to_crown_court,date_sent_to_crown_court\nm1,MC1,C01,Y,2020-01-10\n"),
            new StringReader("row_id,case_id,receipt_date,committing_court_code\nc1,KC1,2020-01-12,C01\n"),
            OnePerson(1, 1));

        result.Links.Should().ContainSingle();
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
        CaseLink L(string c, string m) => new("P", c, m, 1, true, true, "sent+court");

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

        var rows = await CaseLinkTableWriter.WriteAsync([new CaseLink("P", "KC1", "MC1", 3, true, false, "sent+court")], spec, profiles[0], profiles[1], p, output);

        rows.Should().Be(1);
        output.ToString().Split('\n')[1].Should().Be($"{p.PersonId("P")},{p.Pseudonymise("case_id", "KC1")},{p.Pseudonymise("case_id", "MC1")},3,Y,N,sent+court");
    }
}

using DataFirst.Core.Pipeline;

namespace DataFirst.Core.Tests.Pipeline;

public sealed class RunRequestParserTests
{
    [Fact]
    public void Parse_CompleteRequest_ReadsEveryField()
    {
        var request = RunRequestParser.Parse("""
            { "share": "reoffending-2026", "version": "v1", "partitions": 16, "seed": 7, "runDate": "2026-11-01", "keepWorking": true,
              "extracts": [ { "dataset": "magistrates", "blob": "extracts/x/magistrates.csv" } ],
              "settings": "models/justice.json", "keyId": "k1" }
            """);

        request.Share.Should().Be("reoffending-2026");
        request.Extracts.Should().Equal(new ExtractReference("magistrates", "extracts/x/magistrates.csv"));
        request.Partitions.Should().Be(16);
        request.Seed.Should().Be(7);
        request.RunDate.Should().Be(new DateOnly(2026, 11, 1));
        request.Settings.Should().Be("models/justice.json");
        request.KeyId.Should().Be("k1");
        request.KeepWorking.Should().BeTrue();
        RunRequestParser.Parse("""{ "share": "s", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""").KeepWorking.Should().BeFalse();
    }

    [Theory]
    [InlineData("""{ "extracts": [ { "dataset": "a", "blob": "c/a.csv" } ] }""", "$.share")]
    [InlineData("""{ "share": "s" }""", "$.extracts")]
    [InlineData("""{ "share": "s", "extracts": [] }""", "$.extracts")]
    [InlineData("""{ "share": "s", "extracts": [ { "dataset": "a" } ] }""", "$.extracts[0].blob")]
    [InlineData("""{ "share": "s", "extracts": [ { "dataset": "a", "blob": "../etc/passwd" } ] }""", "$.extracts[0].blob")]
    [InlineData("""{ "share": "s", "extracts": [ { "dataset": "a", "blob": "c/a" }, { "dataset": "a", "blob": "c/b" } ] }""", "$.extracts[1].dataset")]
    [InlineData("""{ "share": "Bad Name", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.share")]
    [InlineData("""{ "share": "s", "partitions": 0, "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.partitions")]
    [InlineData("""{ "share": "s", "partitions": "8", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.partitions")]
    [InlineData("""{ "share": "s", "runDate": "21/11/2026", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.runDate")]
    [InlineData("""{ "share": "s", "colour": "red", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.colour")]
    [InlineData("""{ "share": "s", "keepWorking": "yes", "extracts": [ { "dataset": "a", "blob": "c/a" } ] }""", "$.keepWorking")]
    [InlineData("""[1, 2]""", "$")]
    public void Parse_BadRequest_NamesTheJsonPath(string json, string path)
    {
        var act = () => RunRequestParser.Parse(json);

        act.Should().Throw<RunRequestException>().Which.JsonPath.Should().Be(path);
    }

    [Fact]
    public void Parse_MalformedJson_SaysSoWithALine()
    {
        var act = () => RunRequestParser.Parse("{ \"share\": \n");

        act.Should().Throw<RunRequestException>().Which.Message.Should().Contain("not valid JSON");
    }

    [Fact]
    public void ParseManifest_FileNames_ResolveUnderTheSharesExtractsFolder()
    {
        var request = RunRequestParser.ParseManifest("demo", """{ "extracts": ["magistrates.csv", "crown_court.csv"], "settings": "settings.json" }""");

        request.Share.Should().Be("demo");
        request.Extracts.Should().Equal(
            new ExtractReference("magistrates", "extracts/demo/magistrates.csv"),
            new ExtractReference("crown_court", "extracts/demo/crown_court.csv"));
        request.Settings.Should().Be("extracts/demo/settings.json");
    }

    [Theory]
    [InlineData("demo/_run.json", "demo")]
    [InlineData("demo/other.json", null)]
    [InlineData("a/b/_run.json", null)]
    [InlineData("_run.json", null)]
    public void ShareOfManifest_RecognisesManifestBlobs(string name, string? share) =>
        RunRequestParser.ShareOfManifest(name).Should().Be(share);

    [Fact]
    public void RunInstanceIds_FromBlob_IsStablePerBlobVersion()
    {
        var a = RunInstanceIds.FromBlob("demo/_run.json", "\"0x1\"");

        RunInstanceIds.FromBlob("demo/_run.json", "0x1").Should().Be(a);
        RunInstanceIds.FromBlob("demo/_run.json", "\"0x2\"").Should().NotBe(a);
        a.Should().StartWith("demo-");
    }
}

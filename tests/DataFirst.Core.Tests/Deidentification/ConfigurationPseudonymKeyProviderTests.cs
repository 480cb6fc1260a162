using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ConfigurationPseudonymKeyProviderTests
{
    private static readonly string GoodKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i + 100)).ToArray());

    [Fact]
    public async Task GetKeyAsync_FromDictionary_ReturnsKey()
    {
        var provider = new ConfigurationPseudonymKeyProvider(new Dictionary<string, string> { ["proj1"] = GoodKey }, _ => null);

        var key = await provider.GetKeyAsync("proj1");

        key.Length.Should().Be(32);
        key.ToString().Should().NotContain(GoodKey).And.Contain("proj1");
    }

    [Fact]
    public async Task GetKeyAsync_FromEnvironment_UsesUpperCasedVariable()
    {
        string? asked = null;
        var provider = new ConfigurationPseudonymKeyProvider(null, name => { asked = name; return GoodKey; });

        var key = await provider.GetKeyAsync("proj-1");

        asked.Should().Be("DATAFIRST_KEY_PROJ_1");
        key.KeyId.Should().Be("proj-1");
    }

    [Fact]
    public async Task GetKeyAsync_ShortKey_RefusedWithoutPrintingIt()
    {
        var shortKey = Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
        var provider = new ConfigurationPseudonymKeyProvider(null, _ => shortKey);

        var act = () => provider.GetKeyAsync("proj1");

        var ex = (await act.Should().ThrowAsync<PseudonymKeyException>()).Which;
        ex.Message.Should().Contain("16 bytes").And.Contain("at least 32").And.Contain("DATAFIRST_KEY_PROJ1").And.NotContain(shortKey);
    }

    [Fact]
    public async Task GetKeyAsync_Missing_SaysWhichVariableToSet()
    {
        var provider = new ConfigurationPseudonymKeyProvider(null, _ => null);

        var act = () => provider.GetKeyAsync("proj1");

        await act.Should().ThrowAsync<PseudonymKeyException>().WithMessage("*DATAFIRST_KEY_PROJ1*");
    }

    [Fact]
    public async Task GetKeyAsync_NotBase64_RefusedWithoutPrintingIt()
    {
        const string secret = "this is not base64 but it is secret!!!";
        var provider = new ConfigurationPseudonymKeyProvider(new Dictionary<string, string> { ["p"] = secret }, _ => null);

        var act = () => provider.GetKeyAsync("p");

        (await act.Should().ThrowAsync<PseudonymKeyException>()).Which.Message.Should().Contain("not valid base64").And.NotContain(secret);
    }

    [Fact]
    public async Task GetKeyAsync_BadKeyId_Refused()
    {
        var provider = new ConfigurationPseudonymKeyProvider(null, _ => GoodKey);

        var act = () => provider.GetKeyAsync("../etc");

        await act.Should().ThrowAsync<PseudonymKeyException>();
    }

    [Fact]
    public void Fingerprint_SameKeySameValue_AnotherKeyAnother_AndNotTheKeyOrAPseudonym()
    {
        var bytes = Convert.FromBase64String(GoodKey);
        var key = new PseudonymKey("p", bytes);
        var other = new PseudonymKey("p", bytes.Select(b => (byte)(b ^ 1)).ToArray());

        key.Fingerprint().Should().Be(new PseudonymKey("p", bytes).Fingerprint()).And.MatchRegex("^[0-9a-f]{16}$");
        other.Fingerprint().Should().NotBe(key.Fingerprint());
        key.Fingerprint().Should().NotBe(Convert.ToHexStringLower(bytes, 0, 8));
        new Pseudonymiser(key).Pseudonymise("row_id", "DataFirst pseudonym key check v1").Should().NotContain(key.Fingerprint());
    }
}

using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Tests.Fakes;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class SharePublisherTests
{
    private static ShareFile F(string name, string content) => ShareFile.FromBytes(name, Encoding.UTF8.GetBytes(content), ShareFile.ContentTypeFor(name));

    private static readonly ShareFile[] Files = [F("a.csv", "x,y\n1,2\n"), F("catalogue.json", "{}"), F("README.md", "# hi\n")];

    [Fact]
    public async Task PublishAsync_NewVersion_WritesFilesThenManifestWithHashes()
    {
        var store = new TestBlobStore();

        var result = await SharePublisher.PublishAsync(store, "s1", "v1", Files);

        store.BlobNames("srs-transfer").Should().BeEquivalentTo(["s1/v1/a.csv", "s1/v1/catalogue.json", "s1/v1/README.md", "s1/v1/manifest.json"]);
        var manifest = ManifestBuilder.Parse(store.Content("srs-transfer", "s1/v1/manifest.json"));
        manifest.Files.Select(f => f.Path).Should().Equal("a.csv", "catalogue.json", "README.md");
        manifest.Files[0].Bytes.Should().Be(8);
        manifest.Files[0].Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("x,y\n1,2\n"))));
        result.Files.Should().BeEquivalentTo(manifest.Files);
        (await SharePublisher.GetStateAsync(store, "s1", "v1")).Should().Be(ShareVersionState.Complete);
        (await SharePublisher.VerifyAsync(store, "s1", "v1")).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_ManifestIsWrittenLast()
    {
        var store = new TestBlobStore();
        var order = new List<string>();
        store.FailUpload = name => { order.Add(name); return false; };

        await SharePublisher.PublishAsync(store, "s1", "v1", Files);

        order.Last().Should().Be("s1/v1/manifest.json");
    }

    [Fact]
    public async Task PublishAsync_SameVersionAgain_IsRefusedAndNothingChanges()
    {
        var store = new TestBlobStore();
        await SharePublisher.PublishAsync(store, "s1", "v1", Files);
        var before = store.Content("srs-transfer", "s1/v1/a.csv");

        var act = () => SharePublisher.PublishAsync(store, "s1", "v1", [F("a.csv", "changed")]);

        (await act.Should().ThrowAsync<SharePublicationException>()).WithMessage("Share 's1' version 'v1' is already published*new version*");
        store.Content("srs-transfer", "s1/v1/a.csv").Should().Equal(before);
    }

    [Fact]
    public async Task PublishAsync_Interrupted_LeavesIncompleteVersionWithoutManifest_ThenRetryResumes()
    {
        var store = new TestBlobStore { FailUpload = name => name.EndsWith("README.md", StringComparison.Ordinal) };

        var act = () => SharePublisher.PublishAsync(store, "s1", "v1", Files);

        await act.Should().ThrowAsync<IOException>();
        store.BlobNames("srs-transfer").Should().NotContain("s1/v1/manifest.json");
        (await SharePublisher.GetStateAsync(store, "s1", "v1")).Should().Be(ShareVersionState.Incomplete);
        (await SharePublisher.VerifyAsync(store, "s1", "v1")).Should().ContainSingle().Which.Should().Contain("not complete");

        store.FailUpload = null;
        var result = await SharePublisher.PublishAsync(store, "s1", "v1", Files);

        result.ResumedIncomplete.Should().BeTrue();
        (await SharePublisher.VerifyAsync(store, "s1", "v1")).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_IncompleteVersionWithDifferentContent_IsRefused()
    {
        var store = new TestBlobStore { FailUpload = name => name.EndsWith("README.md", StringComparison.Ordinal) };
        await FluentActions.Awaiting(() => SharePublisher.PublishAsync(store, "s1", "v1", Files)).Should().ThrowAsync<IOException>();
        store.FailUpload = null;

        var act = () => SharePublisher.PublishAsync(store, "s1", "v1", [F("a.csv", "different"), F("README.md", "x")]);

        await act.Should().ThrowAsync<SharePublicationException>().WithMessage("*interrupted publication*different content*new version*");
        store.Content("srs-transfer", "s1/v1/a.csv").Should().Equal(Encoding.UTF8.GetBytes("x,y\n1,2\n"));
    }

    [Theory]
    [InlineData("disclosure-risk.json")]
    [InlineData("person-ids.csv")]
    [InlineData("manifest.json")]
    [InlineData("../x.csv")]
    [InlineData("sub/x.csv")]
    public async Task PublishAsync_InternalOrBadFileName_IsRefused(string name)
    {
        var store = new TestBlobStore();

        var act = () => SharePublisher.PublishAsync(store, "s1", "v1", [F("a.csv", "1"), F(name, "2")]);

        await act.Should().ThrowAsync<SharePublicationException>();
        store.BlobNames("srs-transfer").Should().BeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_TamperedFile_IsReported()
    {
        var store = new TestBlobStore();
        await SharePublisher.PublishAsync(store, "s1", "v1", Files);
        await store.UploadAsync("srs-transfer", "s1/v1/a.csv", new MemoryStream(Encoding.UTF8.GetBytes("tampered")));

        (await SharePublisher.VerifyAsync(store, "s1", "v1")).Should().ContainSingle().Which.Should().StartWith("a.csv");
    }

    [Fact]
    public async Task GetStateAsync_NothingThere_IsAbsent()
    {
        (await SharePublisher.GetStateAsync(new TestBlobStore(), "s1", "v1")).Should().Be(ShareVersionState.Absent);
    }
}

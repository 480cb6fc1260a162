using System.Text;
using DataFirst.Core.Storage;
using DataFirst.Storage.Tests.Support;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Contracts;

/// <summary>
/// The one blob-store contract: every adapter (folder, Azurite) derives from this class and must
/// pass every test unchanged.
/// </summary>
public abstract class BlobStoreContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    private IBlobStore? _store;

    protected ITestOutputHelper Output { get; } = output;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("Store not created.");

    /// <summary>A fresh container name per test.</summary>
    protected string Container { get; } = "c" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Creates the adapter under test (fresh state).</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await Store.CreateContainerIfNotExistsAsync(Container);
    }

    public virtual Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task UploadAsync_ThenOpenRead_RoundTripsContentAndProperties()
    {
        var content = Encoding.UTF8.GetBytes("id,value\n1,alpha\n2,beta\n");
        var metadata = new Dictionary<string, string> { ["source"] = "crown_court", ["rows"] = "2" };

        var uploaded = await Store.UploadBytesAsync(Container, "extracts/share1/crown.csv", content, new BlobUploadOptions { ContentType = "text/csv", Metadata = metadata });
        var downloaded = await Store.DownloadBytesAsync(Container, "extracts/share1/crown.csv");
        var properties = await Store.GetPropertiesAsync(Container, "extracts/share1/crown.csv");

        downloaded.Should().Equal(content);
        uploaded.ETag.Should().NotBeNullOrWhiteSpace();
        uploaded.Length.Should().Be(content.Length);
        properties.Should().NotBeNull();
        properties!.Name.Should().Be("extracts/share1/crown.csv");
        properties.Container.Should().Be(Container);
        properties.Length.Should().Be(content.Length);
        properties.ETag.Should().Be(uploaded.ETag);
        properties.ContentType.Should().Be("text/csv");
        properties.Metadata.Should().Contain("source", "crown_court").And.Contain("rows", "2");
        properties.LastModified.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task UploadAsync_EmptyContent_RoundTrips()
    {
        await Store.UploadBytesAsync(Container, "empty.bin", Array.Empty<byte>());

        (await Store.DownloadBytesAsync(Container, "empty.bin")).Should().BeEmpty();
        (await Store.GetPropertiesAsync(Container, "empty.bin"))!.Length.Should().Be(0);
    }

    [Theory]
    [InlineData("dir with spaces/file name.csv")]
    [InlineData("données/Ünïcödé €uro 名前.txt")]
    [InlineData("a+b&c=d/x+y&z=1.csv")]
    [InlineData("100% done;(1)@'!,~$.txt")]
    public async Task UploadAsync_NameWithSpacesUnicodeOrSymbols_RoundTripsAndLists(string name)
    {
        var content = Encoding.UTF8.GetBytes("payload for " + name);

        await Store.UploadBytesAsync(Container, name, content);
        var listed = await Store.ListAllAsync(Container, null).ToListAsync();

        (await Store.DownloadBytesAsync(Container, name)).Should().Equal(content);
        (await Store.GetPropertiesAsync(Container, name))!.Name.Should().Be(name);
        listed.Select(b => b.Name).Should().Equal(name);
        (await Store.DeleteAsync(Container, name)).Should().BeTrue();
    }

    [Fact]
    public async Task ListPageAsync_ManyBlobs_PagesInNameOrderFilteredByPrefix()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"p/{(char)('g' - i)}-{i}.csv").ToList();
        foreach (var name in names)
        {
            await Store.UploadBytesAsync(Container, name, Encoding.UTF8.GetBytes(name));
        }

        await Store.UploadBytesAsync(Container, "other/x.csv", new byte[] { 1 });
        await Store.UploadBytesAsync(Container, "p", new byte[] { 2 });

        var pages = new List<BlobPage>();
        string? token = null;
        do
        {
            var page = await Store.ListPageAsync(Container, "p/", token, pageSize: 3);
            page.Items.Count.Should().BeLessThanOrEqualTo(3);
            pages.Add(page);
            token = page.ContinuationToken;
        }
        while (token is not null && pages.Count < 20);

        var listed = pages.SelectMany(p => p.Items).Select(b => b.Name).ToList();
        listed.Should().Equal(names.OrderBy(n => n, StringComparer.Ordinal));
        pages.Count.Should().BeGreaterThanOrEqualTo(3, "7 blobs in pages of at most 3");
        pages[0].Items.Should().HaveCount(3);
        pages[0].ContinuationToken.Should().NotBeNull();
        (await Store.ListAllAsync(Container, null).ToListAsync()).Should().HaveCount(9);
    }

    [Fact]
    public async Task UploadAsync_IfNotExistsWhenBlobExists_ThrowsConflictAndKeepsContent()
    {
        await Store.UploadBytesAsync(Container, "receipt.json", "first"u8.ToArray());

        var act = () => Store.UploadBytesAsync(Container, "receipt.json", "second"u8.ToArray(), new BlobUploadOptions { IfNotExists = true });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
        (await Store.DownloadBytesAsync(Container, "receipt.json")).Should().Equal("first"u8.ToArray());
    }

    [Fact]
    public async Task UploadAsync_IfNotExistsWhenAbsent_Creates()
    {
        var created = await Store.UploadBytesAsync(Container, "new.json", "x"u8.ToArray(), new BlobUploadOptions { IfNotExists = true });

        created.ETag.Should().NotBeNullOrEmpty();
        (await Store.DownloadBytesAsync(Container, "new.json")).Should().Equal("x"u8.ToArray());
    }

    [Fact]
    public async Task UploadAsync_ConcurrentCreateOnly_ExactlyOneWins()
    {
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Store.UploadBytesAsync(Container, "lock/claim", Encoding.UTF8.GetBytes($"writer {i}"), new BlobUploadOptions { IfNotExists = true });
                return true;
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
            {
                return false;
            }
        });

        var results = await Task.WhenAll(attempts);

        results.Count(won => won).Should().Be(1);
    }

    [Fact]
    public async Task UploadAsync_IfMatchCurrentETag_ReplacesAndChangesETag()
    {
        var first = await Store.UploadBytesAsync(Container, "state.json", "v1"u8.ToArray());

        var second = await Store.UploadBytesAsync(Container, "state.json", "v2"u8.ToArray(), new BlobUploadOptions { IfMatch = first.ETag });

        second.ETag.Should().NotBe(first.ETag);
        (await Store.DownloadBytesAsync(Container, "state.json")).Should().Equal("v2"u8.ToArray());
    }

    [Fact]
    public async Task UploadAsync_IfMatchStaleETag_ThrowsPreconditionFailedAndKeepsContent()
    {
        var first = await Store.UploadBytesAsync(Container, "state.json", "v1"u8.ToArray());
        await Store.UploadBytesAsync(Container, "state.json", "v2"u8.ToArray());

        var act = () => Store.UploadBytesAsync(Container, "state.json", "v3"u8.ToArray(), new BlobUploadOptions { IfMatch = first.ETag });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await Store.DownloadBytesAsync(Container, "state.json")).Should().Equal("v2"u8.ToArray());
    }

    [Fact]
    public async Task DeleteAsync_ExistingThenAbsent_ReturnsTrueThenFalse()
    {
        await Store.UploadBytesAsync(Container, "gone.txt", "x"u8.ToArray());

        (await Store.DeleteAsync(Container, "gone.txt")).Should().BeTrue();
        (await Store.DeleteAsync(Container, "gone.txt")).Should().BeFalse();
        (await Store.GetPropertiesAsync(Container, "gone.txt")).Should().BeNull();
    }

    [Fact]
    public async Task DeleteAsync_StaleETag_ThrowsPreconditionFailed()
    {
        var first = await Store.UploadBytesAsync(Container, "d.txt", "1"u8.ToArray());
        var second = await Store.UploadBytesAsync(Container, "d.txt", "2"u8.ToArray());

        var act = () => Store.DeleteAsync(Container, "d.txt", first.ETag);

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await Store.DeleteAsync(Container, "d.txt", second.ETag)).Should().BeTrue();
    }

    [Fact]
    public async Task OpenReadAsync_Missing_ThrowsNotFound()
    {
        var act = () => Store.OpenReadAsync(Container, "missing.csv");

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
        (await Store.GetPropertiesAsync(Container, "missing.csv")).Should().BeNull();
    }

    [Fact]
    public async Task UploadAsync_ContainerMissing_ThrowsNotFound()
    {
        var act = () => Store.UploadBytesAsync("no-such-container-" + Guid.NewGuid().ToString("N")[..8], "x.txt", "x"u8.ToArray());

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Fact]
    public async Task CreateContainerIfNotExistsAsync_Twice_Succeeds()
    {
        await Store.CreateContainerIfNotExistsAsync(Container);

        (await Store.ListPageAsync(Container, null)).Items.Should().BeEmpty();
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../b.txt")]
    [InlineData("/rooted.txt")]
    [InlineData("a//b.txt")]
    [InlineData("a/./b.txt")]
    [InlineData("trailing/")]
    [InlineData("back\\slash.txt")]
    [InlineData("")]
    public async Task UploadAsync_InvalidName_ThrowsInvalidName(string name)
    {
        var act = () => Store.UploadBytesAsync(Container, name, "x"u8.ToArray());

        var error = (await act.Should().ThrowAsync<StorageException>()).Which;
        error.Kind.Should().Be(StorageErrorKind.InvalidName);
        error.Message.Should().Contain("Blob name");
    }

    [Fact]
    public async Task UploadAsync_NameTooLong_ThrowsInvalidName()
    {
        var act = () => Store.UploadBytesAsync(Container, new string('a', 1025), "x"u8.ToArray());

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.InvalidName);
    }

    [Fact]
    public async Task UploadAsync_InvalidContainerName_ThrowsInvalidName()
    {
        var act = () => Store.UploadBytesAsync("Bad_Container", "x.txt", "x"u8.ToArray());

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.InvalidName);
    }

    [Fact]
    public async Task UploadAsync_SourceStreamFailsMidway_LeavesNoBlobVisible()
    {
        await using var source = new SeededStream(LargeishSize, seed: 7, failAfter: LargeishSize / 2);

        var act = () => Store.UploadAsync(Container, "broken.bin", source);

        await act.Should().ThrowAsync<Exception>();
        (await Store.GetPropertiesAsync(Container, "broken.bin")).Should().BeNull();
        (await Store.ListAllAsync(Container, null).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task UploadAsync_SourceStreamFailsMidway_KeepsPreviousVersion()
    {
        var original = await Store.UploadBytesAsync(Container, "v.bin", "original"u8.ToArray());
        await using var source = new SeededStream(LargeishSize, seed: 7, failAfter: LargeishSize / 2);

        var act = () => Store.UploadAsync(Container, "v.bin", source);

        await act.Should().ThrowAsync<Exception>();
        (await Store.DownloadBytesAsync(Container, "v.bin")).Should().Equal("original"u8.ToArray());
        (await Store.GetPropertiesAsync(Container, "v.bin"))!.ETag.Should().Be(original.ETag);
    }

    [Fact]
    public async Task UploadAsync_MultiBlockContent_RoundTripsWithSameChecksum()
    {
        await using var source = new HashingReadStream(new SeededStream(LargeishSize + 12345, seed: 3));

        var info = await Store.UploadAsync(Container, "multi.bin", source);
        await using var read = new HashingReadStream(await Store.OpenReadAsync(Container, "multi.bin"));
        await read.CopyToAsync(Stream.Null);

        info.Length.Should().Be(LargeishSize + 12345);
        read.BytesRead.Should().Be(LargeishSize + 12345);
        read.GetHash().Should().Equal(source.GetHash());
    }

    /// <summary>Content size that spans several blocks of the adapter under test.</summary>
    protected virtual long LargeishSize => 3L * 1024 * 1024;

    [Fact]
    public async Task GetPropertiesAndListAndDelete_ContainerMissing_ThrowNotFound()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var properties = () => Store.GetPropertiesAsync(missing, "x.txt");
        var list = () => Store.ListPageAsync(missing, null);
        var delete = () => Store.DeleteAsync(missing, "x.txt");

        (await properties.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
        (await list.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
        (await delete.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Fact]
    public async Task PipedUpload_WritesOfEverySize_RoundTripExactly()
    {
        // Sync and async writes of 1 byte to 3 MiB, across chunk boundaries: the blob holds exactly what was written.
        var random = new Random(11);
        var expected = new MemoryStream();
        var info = await PipedUpload.UploadAsync(Store, Container, "piped/exact.bin", new BlobUploadOptions { ContentType = "text/csv" }, async stream =>
        {
            foreach (var size in new[] { 1, 7, PipedUpload.ChunkSize - 8, 16, 3 * PipedUpload.ChunkSize, 0, 65_536, PipedUpload.ChunkSize, 5 })
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                expected.Write(bytes);
                if (size % 2 == 0)
                {
                    await stream.WriteAsync(bytes);
                }
                else
                {
                    stream.Write(bytes);
                }
            }

            stream.WriteByte(42);
            expected.WriteByte(42);
        });

        var downloaded = await Store.DownloadBytesAsync(Container, "piped/exact.bin");
        downloaded.Should().Equal(expected.ToArray());
        info.Length.Should().Be(expected.Length);
        (await Store.GetPropertiesAsync(Container, "piped/exact.bin"))!.ContentType.Should().Be("text/csv");
    }

    [Fact]
    public async Task PipedUpload_EmptyContent_CreatesEmptyBlob()
    {
        await PipedUpload.UploadAsync(Store, Container, "piped/empty.bin", null, _ => Task.CompletedTask);

        (await Store.DownloadBytesAsync(Container, "piped/empty.bin")).Should().BeEmpty();
    }

    [Fact]
    public async Task PipedUpload_ProducerFails_ReportsItsErrorAndCommitsNothing()
    {
        await Store.UploadBytesAsync(Container, "piped/kept.bin", new byte[] { 1, 2, 3 });

        var failing = () => PipedUpload.UploadAsync(Store, Container, "piped/kept.bin", null, async stream =>
        {
            await stream.WriteAsync(new byte[(3 * PipedUpload.ChunkSize) + 100]);
            throw new InvalidOperationException("producer failed half way");
        });
        var failingNew = () => PipedUpload.UploadAsync(Store, Container, "piped/never.bin", null, stream =>
        {
            stream.Write(new byte[PipedUpload.ChunkSize / 2]);
            throw new FormatException("bad row");
        });

        (await failing.Should().ThrowAsync<InvalidOperationException>()).WithMessage("producer failed half way");
        await failingNew.Should().ThrowAsync<FormatException>();
        (await Store.DownloadBytesAsync(Container, "piped/kept.bin")).Should().Equal(1, 2, 3);
        (await Store.GetPropertiesAsync(Container, "piped/never.bin")).Should().BeNull();
    }

    [Fact]
    public async Task PipedUpload_DisposedBeforeComplete_CommitsNothing()
    {
        await using (var text = PipedText.Start(Store, Container, "piped/abandoned.csv"))
        {
            for (var i = 0; i < 200_000; i++)
            {
                text.Writer.Write("row,");
                text.Writer.WriteLine(i);
            }
        }

        await using (var done = PipedText.Start(Store, Container, "piped/done.csv"))
        {
            done.Writer.Write("a,b\n1,2\n");
            await done.CompleteAsync();
        }

        (await Store.GetPropertiesAsync(Container, "piped/abandoned.csv")).Should().BeNull();
        Encoding.UTF8.GetString(await Store.DownloadBytesAsync(Container, "piped/done.csv")).Should().Be("a,b\n1,2\n");
    }

    [Fact]
    public async Task PipedUpload_CreateOnlyOverExistingBlob_ReportsConflictNotTheProducer()
    {
        await Store.UploadBytesAsync(Container, "piped/existing.bin", new byte[] { 9 });

        var upload = () => PipedUpload.UploadAsync(Store, Container, "piped/existing.bin", new BlobUploadOptions { IfNotExists = true }, async stream =>
        {
            for (var i = 0; i < 3; i++)
            {
                await stream.WriteAsync(new byte[PipedUpload.ChunkSize]);
            }
        });

        (await upload.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
        (await Store.DownloadBytesAsync(Container, "piped/existing.bin")).Should().Equal(9);
    }
}

using System.Text;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Tests.Storage;

/// <summary>The fake must honour the port's conditions, or tests that rely on it prove nothing.</summary>
public sealed class InMemoryBlobStoreTests
{
    [Fact]
    public async Task UploadAsync_IfNotExistsOnExisting_Conflict()
    {
        var store = new InMemoryBlobStore();
        await store.CreateContainerIfNotExistsAsync("c");
        await store.UploadBytesAsync("c", "b", Encoding.UTF8.GetBytes("1"));

        var act = () => store.UploadBytesAsync("c", "b", Encoding.UTF8.GetBytes("2"), new BlobUploadOptions { IfNotExists = true });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
    }

    [Fact]
    public async Task UploadAsync_IfMatchStale_PreconditionFailed()
    {
        var store = new InMemoryBlobStore();
        await store.CreateContainerIfNotExistsAsync("c");
        var first = await store.UploadBytesAsync("c", "b", Encoding.UTF8.GetBytes("1"));
        await store.UploadBytesAsync("c", "b", Encoding.UTF8.GetBytes("2"), new BlobUploadOptions { IfMatch = first.ETag });

        var act = () => store.UploadBytesAsync("c", "b", Encoding.UTF8.GetBytes("3"), new BlobUploadOptions { IfMatch = first.ETag });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
    }

    [Fact]
    public async Task OpenReadAsync_Missing_NotFound()
    {
        var store = new InMemoryBlobStore();
        await store.CreateContainerIfNotExistsAsync("c");

        var act = () => store.OpenReadAsync("c", "nope");

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Fact]
    public async Task ListAllAsync_PagesInNameOrder()
    {
        var store = new InMemoryBlobStore();
        await store.CreateContainerIfNotExistsAsync("c");
        foreach (var n in new[] { "p/b", "p/a", "q/x", "p/c" })
        {
            await store.UploadBytesAsync("c", n, new byte[] { 1 });
        }

        var page = await store.ListPageAsync("c", "p/", null, 2);
        var all = new List<string>();
        await foreach (var item in store.ListAllAsync("c", "p/"))
        {
            all.Add(item.Name);
        }

        page.Items.Select(i => i.Name).Should().Equal("p/a", "p/b");
        page.ContinuationToken.Should().NotBeNull();
        all.Should().Equal("p/a", "p/b", "p/c");
    }
}

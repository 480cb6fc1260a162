using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Storage.Tests.Support;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Embedded;

[Collection(LargeDataCollection.Name)]
public sealed class FileSystemLargeBlobTransferTests(ITestOutputHelper output) : LargeBlobTransferTests(output), IDisposable
{
    private readonly TempDirectory _root = new();

    protected override IBlobStore CreateStore() => new FileSystemBlobStore(_root.Path);

    public void Dispose() => _root.Dispose();
}

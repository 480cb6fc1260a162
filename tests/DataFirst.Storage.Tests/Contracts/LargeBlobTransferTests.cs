using System.Diagnostics;
using System.Security.Cryptography;
using DataFirst.Core.Storage;
using DataFirst.Storage.Tests.Support;
using DataFirst.Testing.Azurite;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Contracts;

/// <summary>
/// Runs alone (no other test in parallel) so that the process-wide memory figures belong to this
/// transfer. Has its own Azurite (collection fixture).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeDataCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "LargeData";
}

/// <summary>
/// 256 MiB streamed up and down through a blob adapter: data generated on the fly from a seed,
/// hashed while streaming, managed heap sampled throughout (limit: 64 MiB above baseline).
/// </summary>
public abstract class LargeBlobTransferTests(ITestOutputHelper output)
{
    private const long Size = 256L * 1024 * 1024;
    private const long MemoryLimit = 64L * 1024 * 1024;

    protected abstract IBlobStore CreateStore();

    [Fact]
    [Trait("Category", "LargeData")]
    public async Task UploadAsync_256MiB_StreamsWithBoundedMemoryAndSameChecksum()
    {
        var store = CreateStore();
        var container = "large-" + Guid.NewGuid().ToString("N")[..12];
        await store.CreateContainerIfNotExistsAsync(container);
        var started = Stopwatch.StartNew();
        using var sampler = new MemorySampler();
        byte[] uploadHash;
        await using (var source = new HashingReadStream(new SeededStream(Size, seed: 256)))
        {
            var info = await store.UploadAsync(container, "large/256MiB.bin", source);
            info.Length.Should().Be(Size);
            uploadHash = source.GetHash();
        }

        var uploadTime = started.Elapsed;
        byte[] downloadHash;
        long downloaded = 0;
        await using (var stream = await store.OpenReadAsync(container, "large/256MiB.bin"))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                downloaded += n;
            }

            downloadHash = hash.GetCurrentHash();
        }

        sampler.Sample();
        output.WriteLine($"{GetType().Name}: 256 MiB upload {uploadTime.TotalSeconds:0.0}s, download {(started.Elapsed - uploadTime).TotalSeconds:0.0}s; peak managed heap +{sampler.PeakManagedAboveBaseline / 1048576.0:0.0} MiB, peak working set +{sampler.PeakWorkingSetAboveBaseline / 1048576.0:0.0} MiB above baseline");
        downloaded.Should().Be(Size);
        downloadHash.Should().Equal(uploadHash);
        sampler.PeakManagedAboveBaseline.Should().BeLessThan(MemoryLimit);
        await store.DeleteAsync(container, "large/256MiB.bin");
    }
}

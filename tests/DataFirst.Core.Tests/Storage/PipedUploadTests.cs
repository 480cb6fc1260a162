using DataFirst.Core.Storage;
using Moq;

namespace DataFirst.Core.Tests.Storage;

/// <summary>
/// Faults of the upload side of <see cref="PipedUpload"/>, injected with a mocked store (the round trips, a failing
/// producer and create-only conflicts run against the folder store and Azurite in the blob-store contract).
/// </summary>
public sealed class PipedUploadTests
{
    [Fact]
    public async Task UploadFailsPartWay_ProducerStopsAtItsNextWrite_AndTheUploadErrorIsReported()
    {
        long uploadRead = 0;
        var store = new Mock<IBlobStore>(MockBehavior.Strict);
        store.Setup(s => s.UploadAsync("c", "b", It.IsAny<Stream>(), It.IsAny<BlobUploadOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, string _, Stream content, BlobUploadOptions? _, CancellationToken ct) =>
            {
                var buffer = new byte[100_000];
                while (uploadRead < 2 * PipedUpload.ChunkSize)
                {
                    uploadRead += await content.ReadAsync(buffer, ct);
                }

                throw new StorageException(StorageErrorKind.Other, 503, "ServerBusy", "The store is busy.");
            });
        long produced = 0;

        var act = () => PipedUpload.UploadAsync(store.Object, "c", "b", null, async stream =>
        {
            var row = new byte[10_000];
            for (var i = 0; i < 100_000; i++) // 1 GB if nothing stopped it
            {
                await stream.WriteAsync(row);
                produced += row.Length;
            }
        });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Other);
        uploadRead.Should().BeGreaterThanOrEqualTo(2 * PipedUpload.ChunkSize);

        // Stopped within what the pipe holds: the chunks queued, the one being filled and the one being read.
        produced.Should().BeLessThan((PipedUpload.MaxQueuedChunks + 4L) * PipedUpload.ChunkSize);
    }

    [Fact]
    public async Task SyncProducer_IsStoppedToo()
    {
        var store = new Mock<IBlobStore>();
        store.Setup(s => s.UploadAsync("c", "b", It.IsAny<Stream>(), It.IsAny<BlobUploadOptions?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new StorageException(StorageErrorKind.Unauthorized, 403, "AuthorizationFailure", "Not allowed."));

        var act = () => PipedUpload.UploadAsync(store.Object, "c", "b", null, stream => Task.Run(() =>
        {
            var row = new byte[50_000];
            for (var i = 0; i < 100_000; i++)
            {
                stream.Write(row);
            }
        }));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Unauthorized);
    }

    [Fact]
    public async Task TextProducer_SeesTheUploadsOwnError_AsAStreamProducerDoes()
    {
        // The ingest and share activities write CSV rows through PipedText; their failure must name the store's error
        // (here a full data folder), not a wrapper around it.
        var store = FailingAfter(PipedUpload.ChunkSize, new StorageException(StorageErrorKind.Other, 507, "InsufficientStorage", "The data folder is full."));
        await using var text = PipedText.Start(store.Object, "c", "b");

        var act = async () =>
        {
            for (var i = 0; i < 1_000_000; i++) // 100 MB if nothing stopped it
            {
                await text.Writer.WriteLineAsync(new string('x', 99));
            }
        };

        (await act.Should().ThrowAsync<StorageException>()).Which.ErrorCode.Should().Be("InsufficientStorage");
    }

    [Fact]
    public async Task TextProducer_UploadFailsWhileTheLastTextIsFlushed_CompleteReportsTheUploadsError()
    {
        var store = FailingAfter(0, new StorageException(StorageErrorKind.Unauthorized, 403, "AuthorizationFailure", "Not allowed."));
        await using var text = PipedText.Start(store.Object, "c", "b");
        await text.Writer.WriteAsync("a few rows, short of a chunk");

        (await text.Invoking(t => t.CompleteAsync()).Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Unauthorized);
    }

    private static Mock<IBlobStore> FailingAfter(long bytes, StorageException error)
    {
        var store = new Mock<IBlobStore>();
        store.Setup(s => s.UploadAsync("c", "b", It.IsAny<Stream>(), It.IsAny<BlobUploadOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, string _, Stream content, BlobUploadOptions? _, CancellationToken ct) =>
            {
                var buffer = new byte[65_536];
                for (long read = 0; read < bytes;)
                {
                    read += await content.ReadAsync(buffer, ct);
                }

                throw error;
            });
        return store;
    }

    [Fact]
    public async Task UploadThatStopsReadingEarly_IsAnErrorNotATruncatedBlob()
    {
        var store = new Mock<IBlobStore>();
        store.Setup(s => s.UploadAsync("c", "b", It.IsAny<Stream>(), It.IsAny<BlobUploadOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string c, string n, Stream content, BlobUploadOptions? _, CancellationToken ct) =>
            {
                await content.ReadExactlyAsync(new byte[10], ct);
                return new BlobItemInfo(c, n, 10, "etag", DateTimeOffset.UtcNow, null, new Dictionary<string, string>());
            });

        var act = () => PipedUpload.UploadAsync(store.Object, "c", "b", null, async stream => await stream.WriteAsync(new byte[6 * PipedUpload.ChunkSize]));

        await act.Should().ThrowAsync<UploadStoppedException>();
    }

    [Fact]
    public async Task Cancelled_BothSidesStop()
    {
        using var cancel = new CancellationTokenSource();
        var store = new Mock<IBlobStore>();
        store.Setup(s => s.UploadAsync("c", "b", It.IsAny<Stream>(), It.IsAny<BlobUploadOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string c, string n, Stream content, BlobUploadOptions? _, CancellationToken ct) =>
            {
                await content.CopyToAsync(Stream.Null, ct);
                return new BlobItemInfo(c, n, 0, "etag", DateTimeOffset.UtcNow, null, new Dictionary<string, string>());
            });

        var act = () => PipedUpload.UploadAsync(store.Object, "c", "b", null, async stream =>
        {
            for (var i = 0; ; i++)
            {
                await stream.WriteAsync(new byte[100_000], cancel.Token);
                if (i == 50)
                {
                    await cancel.CancelAsync();
                }
            }
        }, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}

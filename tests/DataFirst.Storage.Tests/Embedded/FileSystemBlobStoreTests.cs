using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Storage.Tests.Support;
using DataFirst.Testing;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Embedded;

public sealed class FileSystemBlobStoreTests(ITestOutputHelper output) : BlobStoreContractTests(output)
{
    private readonly TempDirectory _root = new();

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(_root.Path));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task UploadAsync_CreateOnlyFromSeparateInstances_ExactlyOneWins()
    {
        // Separate store instances share nothing in memory: only the OS file lock serialises them,
        // as it does across processes.
        var stores = Enumerable.Range(0, 6).Select(_ => new FileSystemBlobStore(_root.Path)).ToList();
        var attempts = stores.Select(async (store, i) =>
        {
            try
            {
                await store.UploadBytesAsync(Container, "claim", new[] { (byte)i }, new BlobUploadOptions { IfNotExists = true });
                return true;
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
            {
                return false;
            }
        });

        (await Task.WhenAll(attempts)).Count(won => won).Should().Be(1);
    }

    [Fact]
    public async Task UploadAsync_Completed_LeavesNoTempFiles()
    {
        await Store.UploadBytesAsync(Container, "a.txt", "a"u8.ToArray());
        await using var broken = new SeededStream(1000, 1, failAfter: 500);
        await FluentActions.Awaiting(() => Store.UploadAsync(Container, "b.txt", broken)).Should().ThrowAsync<IOException>();

        Directory.EnumerateFiles(Path.Combine(_root.Path, Container, ".tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task Constructor_AbandonedUploadFile_IsRemoved_WhileALiveUploadKeepsItsFile()
    {
        // A live upload, paused after its first chunk: its file is open (and locked) in .tmp.
        var tempDir = Path.Combine(_root.Path, Container, ".tmp");
        await using var content = new PausedStream(new byte[64 * 1024]);
        var live = Store.UploadAsync(Container, "live.csv", content);
        await content.FirstReadDone.WaitAsync(TimeSpan.FromSeconds(30));
        var liveFile = Directory.EnumerateFiles(tempDir).Should().ContainSingle().Subject;

        // The file of an upload whose process was killed: nobody holds it.
        var abandoned = Path.Combine(tempDir, $"{Guid.NewGuid():N}.upload");
        await File.WriteAllBytesAsync(abandoned, "postcode\nAB1 2CD\n"u8.ToArray());

        var reopened = new FileSystemBlobStore(_root.Path);

        File.Exists(abandoned).Should().BeFalse();
        File.Exists(liveFile).Should().BeTrue();
        reopened.RemoveAbandonedUploads().Should().Be(0);
        content.Resume();
        (await live).Length.Should().Be(64 * 1024);
        (await reopened.DownloadBytesAsync(Container, "live.csv")).Should().HaveCount(64 * 1024);
        Directory.EnumerateFiles(tempDir).Should().BeEmpty();
    }

    /// <summary>Gives its content in two halves, and the second only after <see cref="Resume"/>.</summary>
    private sealed class PausedStream(byte[] content) : MemoryStream(content)
    {
        private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstReadDone => _firstRead.Task;

        public void Resume() => _resume.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= Length / 2)
            {
                _firstRead.TrySetResult();
                await _resume.Task.WaitAsync(cancellationToken);
            }

            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Length / 2)], cancellationToken);
        }
    }

    [Fact]
    public async Task UploadAsync_DataFolderFull_NamesTheFolderAndTheBlob_AndCommitsNothing()
    {
        // The upload's file is Linux's /dev/full: every write fails with the kernel's ENOSPC.
        var store = new FileSystemBlobStore(_root.Path) { OpenUploadFile = _ => FullDisk.Open() };
        await store.CreateContainerIfNotExistsAsync(Container);

        var ex = (await FluentActions.Awaiting(() => store.UploadBytesAsync(Container, "runs/r1/clean/crown_court.csv", new byte[3 << 20]))
            .Should().ThrowAsync<StorageException>()).Which;

        ex.Status.Should().Be(507);
        ex.ErrorCode.Should().Be("InsufficientStorage");
        ex.Message.Should().Contain(_root.Path).And.Contain("runs/r1/clean/crown_court.csv").And.Contain("--data");
        LocalDisk.IsFull(ex.InnerException!).Should().BeTrue();
        (await store.GetPropertiesAsync(Container, "runs/r1/clean/crown_court.csv")).Should().BeNull();
    }

    [Fact]
    public async Task UploadAsync_ContentFromAFullTemporaryFolder_KeepsThatMessage()
    {
        // A producer whose own spill file filled the temporary folder: the error names that folder, not the data folder.
        var full = LocalDisk.TempFolderFull("the share file x.csv", new IOException("No space left on device", 28));
        var ex = await FluentActions.Awaiting(() => Store.UploadAsync(Container, "x.csv", new FailingRead(full)))
            .Should().ThrowAsync<LocalDiskFullException>();
        ex.Which.Should().BeSameAs(full);
    }

    private sealed class FailingRead(Exception error) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw error;

        public override int Read(byte[] buffer, int offset, int count) => throw error;
    }

    [Fact]
    public async Task UploadAsync_OnUnix_CreatesFoldersAndFilesForTheOwnerOnly()
    {
        // xunit 2 cannot skip at run time: on Windows the files inherit the folder's ACL, nothing to check.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var root = Path.Combine(_root.Path, "data", "blobs");
        var store = new FileSystemBlobStore(root);
        await store.CreateContainerIfNotExistsAsync("working");
        await store.UploadBytesAsync("working", "run1/records/part-0.csv", "postcode\nAB1 2CD\n"u8.ToArray());

        var folders = new[] { Path.Combine(_root.Path, "data"), root }.Concat(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)).ToList();
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToList();
        folders.Should().HaveCountGreaterThanOrEqualTo(6);   // data, blobs, working, working/b, working/b/xx, working/.tmp
        files.Should().Contain(f => Path.GetFileName(f) == ".lock").And.HaveCount(2);
        foreach (var folder in folders)
        {
            File.GetUnixFileMode(folder).Should().Be(OwnerOnlyDirectory, folder);
        }

        foreach (var file in files)
        {
            File.GetUnixFileMode(file).Should().Be(OwnerOnlyFile, file);
        }
    }

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task OpenReadAsync_WhileReplaced_ReaderKeepsOldContent()
    {
        await Store.UploadBytesAsync(Container, "snap.txt", "old content"u8.ToArray());
        await using var reader = await Store.OpenReadAsync(Container, "snap.txt");

        await Store.UploadBytesAsync(Container, "snap.txt", "new"u8.ToArray());
        using var buffer = new MemoryStream();
        await reader.CopyToAsync(buffer);

        buffer.ToArray().Should().Equal("old content"u8.ToArray());
        (await Store.DownloadBytesAsync(Container, "snap.txt")).Should().Equal("new"u8.ToArray());
    }
}

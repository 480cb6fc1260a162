using DataFirst.Core.Storage;
using DataFirst.Testing;

namespace DataFirst.Core.Tests.Storage;

/// <summary>
/// A temporary file on a full disk (Linux's /dev/full: the kernel's own ENOSPC) reports the folder, the setting that
/// moves it and what was being written; other errors and ordinary use pass through unchanged.
/// </summary>
public sealed class LocalDiskTests
{
    private const string What = "the clustering's edge file";

    [Fact]
    public async Task WriteAsync_DiskFull_NamesTheTemporaryFolderTheSettingAndWhatWasWritten()
    {
        var stream = LocalDisk.GuardTempFile(FullDisk.Open(), What);

        var thrown = await FluentActions.Awaiting(async () =>
        {
            await stream.WriteAsync(new byte[1 << 20]);
            await stream.FlushAsync();
        }).Should().ThrowAsync<LocalDiskFullException>();

        var ex = thrown.Which;
        ex.Message.Should().Contain(Path.GetTempPath()).And.Contain(What).And.Contain(OperatingSystem.IsWindows() ? "TEMP" : "TMPDIR");
        ex.InnerException.Should().BeAssignableTo<IOException>();
        LocalDisk.IsFull(ex.InnerException!).Should().BeTrue("the operating system's own error is the inner exception");
        ex.HResult.Should().Be(ex.InnerException!.HResult, "a caller testing the code still sees a full disk");
        await DisposeQuietlyAsync(stream);
    }

    [Fact]
    public async Task Write_SynchronousWriterOnAFullDisk_IsReportedTheSameWay()
    {
        // The quarantine's rows are written synchronously through a StreamWriter: the error surfaces at a flush.
        var stream = LocalDisk.GuardTempFile(FullDisk.Open(), "the rejected rows of extract crown_court");
        var writer = new StreamWriter(stream);

        var ex = FluentActions.Invoking(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                writer.Write("a rejected row, padded to make the buffer spill\n");
            }

            writer.Flush();
        }).Should().Throw<LocalDiskFullException>().Which;

        ex.Message.Should().Contain("the rejected rows of extract crown_court");
        await DisposeQuietlyAsync(stream);
    }

    [Fact]
    public void OtherIOErrors_PassUnchanged()
    {
        var broken = new IOException("Input/output error", 5);
        var stream = LocalDisk.GuardTempFile(new BrokenStream(broken), What);

        FluentActions.Invoking(() => stream.Write(new byte[10], 0, 10)).Should().Throw<IOException>().Which.Should().BeSameAs(broken);
        FluentActions.Invoking(() => stream.Flush()).Should().Throw<IOException>().Which.Should().BeSameAs(broken);
        LocalDisk.IsFull(broken).Should().BeFalse();
        LocalDisk.IsFull(new FileNotFoundException("x")).Should().BeFalse();
        LocalDisk.IsFull(new InvalidOperationException("x")).Should().BeFalse();
    }

    [Fact]
    public async Task OrdinaryUse_ReadsBackExactlyWhatWasWritten()
    {
        var backing = new MemoryStream();
        await using var stream = LocalDisk.GuardTempFile(backing, What);
        stream.Write([1, 2, 3], 0, 3);
        stream.Write(new ReadOnlySpan<byte>([4, 5]));
        stream.WriteByte(6);
        await stream.WriteAsync(new byte[] { 7, 8 });
        await stream.WriteAsync(new byte[] { 0, 9, 0 }, 1, 1);
        await stream.FlushAsync();

        stream.Length.Should().Be(9);
        stream.Position = 0;
        var back = new byte[16];
        var read = stream.Read(back, 0, 4) + await stream.ReadAsync(back.AsMemory(4));
        back.AsSpan(0, read).ToArray().Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9);
        stream.Seek(-1, SeekOrigin.End).Should().Be(8);
        stream.SetLength(3);
        backing.ToArray().Should().Equal(1, 2, 3);
    }

    private sealed class BrokenStream(IOException error) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw error;

        public override void Write(byte[] buffer, int offset, int count) => throw error;

        public override void Flush() => throw error;
    }

    private static async Task DisposeQuietlyAsync(Stream stream)
    {
        // The buffered bytes cannot be written either: disposing reports the full disk again, translated the same way.
        try
        {
            await stream.DisposeAsync();
        }
        catch (LocalDiskFullException)
        {
        }
    }
}

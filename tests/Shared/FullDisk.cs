namespace DataFirst.Testing;

/// <summary>
/// A file on a full disk: Linux's <c>/dev/full</c>, whose every write fails with ENOSPC from the kernel, so the
/// full-disk messages are tested against the operating system's real error. Elsewhere a stream that fails its writes
/// with the error .NET gives for a full disk on that system.
/// </summary>
internal static class FullDisk
{
    public const string Device = "/dev/full";

    public static Stream Open() =>
        File.Exists(Device)
            ? new FileStream(Device, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 4096, FileOptions.Asynchronous)
            : new NoSpaceStream();

    private sealed class NoSpaceStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new IOException("No space left on device", OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28);
    }
}

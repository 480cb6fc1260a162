namespace DataFirst.Core.Storage;

/// <summary>
/// A full local disk, told apart from other I/O errors: .NET's own message ("No space left on device") names the file
/// but neither the folder's setting nor what to do, and a run that fills a disk should say both.
/// </summary>
public static class LocalDisk
{
    // errno as .NET reports it on Unix (IOException.HResult is the raw errno there): ENOSPC, and EDQUOT (a quota).
    private const int NoSpace = 28;
    private const int QuotaLinux = 122;
    private const int QuotaMacOs = 69;

    // Win32 codes inside HRESULT_FROM_WIN32 on Windows: ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL.
    private const int HandleDiskFull = 39;
    private const int DiskFull = 112;
    private const int Win32Facility = unchecked((int)0x80070000);

    /// <summary>Whether <paramref name="ex"/> is the operating system saying the disk (or the user's quota) is full.</summary>
    public static bool IsFull(Exception ex)
    {
        if (ex is LocalDiskFullException)
        {
            return true;
        }

        if (ex is not IOException io)
        {
            return false;
        }

        var code = io.HResult;
        if (OperatingSystem.IsWindows())
        {
            return (code & unchecked((int)0xFFFF0000)) == Win32Facility && (code & 0xFFFF) is HandleDiskFull or DiskFull;
        }

        return code == NoSpace || code == (OperatingSystem.IsMacOS() ? QuotaMacOs : QuotaLinux);
    }

    /// <summary>
    /// The error for a full temporary folder (<see cref="Path.GetTempPath"/>): what was being written, and that
    /// <c>TMPDIR</c> (<c>TEMP</c> on Windows) moves the folder.
    /// </summary>
    public static LocalDiskFullException TempFolderFull(string what, IOException inner) =>
        new($"The temporary folder {Path.GetTempPath()} is full: {what} could not be written there ({inner.Message}). "
            + $"Free space on that disk, or set {(OperatingSystem.IsWindows() ? "TEMP" : "TMPDIR")} (an app setting on Azure) to a folder on a disk with room, "
            + "such as a mounted Azure Files share (docs/functions.md, \"Local disk\").", inner);

    /// <summary>
    /// A stream over a local file whose full-disk errors become <see cref="TempFolderFull"/>: writes, flushes and the
    /// final flush on dispose. Other errors pass unchanged.
    /// </summary>
    public static Stream GuardTempFile(Stream file, string what) => new TempFileStream(file, what);

    private sealed class TempFileStream(Stream inner, string what) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value)
        {
            try
            {
                inner.SetLength(value);
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }
        }

        public override void WriteByte(byte value) => Write([value]);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try
                {
                    inner.Dispose();
                }
                catch (IOException ex) when (IsFull(ex))
                {
                    throw Full(ex);
                }
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException ex) when (IsFull(ex))
            {
                throw Full(ex);
            }

            GC.SuppressFinalize(this);
        }

        private Exception Full(IOException ex) => ex is LocalDiskFullException ? ex : TempFolderFull(what, ex);
    }
}

/// <summary>A local disk filled while DataFirst wrote to it; the message names the folder and the setting that moves it.</summary>
public sealed class LocalDiskFullException : IOException
{
    public LocalDiskFullException(string message, IOException inner)
        : base(message, inner) => HResult = inner.HResult;
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Storage.Embedded;

/// <summary>
/// The embedded blob store: one folder per container under <see cref="RootDirectory"/>.
/// <para>
/// Each blob is one file named by the SHA-256 of its name (so any valid blob name maps to a safe
/// path of fixed length, and "a" and "a/b" never collide). The file holds the content followed by
/// a JSON trailer (name, ETag, length, content type, metadata) and a fixed footer, so content and
/// properties are replaced together by one atomic rename. Uploads go to a temp file first; the
/// condition check (if-none-match / if-match) and the rename run under a per-container lock file
/// held with an exclusive OS lock, so conditional create is atomic across processes. On Unix every folder it creates
/// is 0700 and every file 0600 (<see cref="OwnerOnly"/>): blobs hold personal data.
/// </para>
/// <para>
/// Upload files left by a process that died (killed during an upload) are removed when the store is opened and by
/// <see cref="RemoveAbandonedUploads"/>; see there for how a live upload is told from a dead one.
/// </para>
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    public const int DefaultPageSize = 5000;
    private const string BlobsFolder = "b";
    private const string TempFolder = ".tmp";
    private const string LockFile = ".lock";
    private static readonly byte[] Magic = "DFBLOB01"u8.ToArray();
    private const int FooterLength = 4 + 8;
    private const int CopyBufferSize = 1024 * 1024;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger;

    public FileSystemBlobStore(string rootDirectory, ILogger<FileSystemBlobStore>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
        OwnerOnly.CreateDirectory(RootDirectory);
        RemoveAbandonedUploads();
    }

    public string RootDirectory { get; }

    /// <summary>Opens an upload's temporary file (a test puts a full device here to see the full-disk message).</summary>
    internal Func<string, Stream> OpenUploadFile { get; init; } =
        path => new FileStream(path, OwnerOnly.Create(FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous));

    public override string ToString() => $"FileSystemBlobStore({RootDirectory})";

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        cancellationToken.ThrowIfCancellationRequested();
        var dir = ContainerPath(container);
        OwnerOnly.CreateDirectory(Path.Combine(dir, BlobsFolder));
        OwnerOnly.CreateDirectory(Path.Combine(dir, TempFolder));
        return Task.CompletedTask;
    }

    public async Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        options ??= new BlobUploadOptions();
        StorageNames.ValidateMetadata(options.Metadata);
        var containerDir = RequireContainer(container);
        var target = BlobPath(containerDir, name);

        // Cheap early exit for create-only uploads; the authoritative check runs under the lock.
        if (options.IfNotExists && File.Exists(target))
        {
            throw BlobExists(container, name);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var tempDir = Path.Combine(containerDir, TempFolder);
        OwnerOnly.CreateDirectory(tempDir);
        var temp = Path.Combine(tempDir, $"{Guid.NewGuid():N}.upload");
        Stream? file = null;
        try
        {
            BlobHeader header;
            try
            {
                // The upload owns its file by holding it open with FileShare.None (an exclusive flock on Unix) from its
                // creation, under the container lock, until the container lock is held again for the commit: at no
                // moment that RemoveAbandonedUploads (which runs under the container lock) can see is the file unowned.
                using (await AcquireLockAsync(containerDir, cancellationToken).ConfigureAwait(false))
                {
                    file = OpenUploadFile(temp);
                }

                var length = await CopyContentAsync(content, file, cancellationToken).ConfigureAwait(false);
                header = new BlobHeader(
                    name,
                    NewETag(),
                    length,
                    DateTimeOffset.UtcNow,
                    options.ContentType ?? "application/octet-stream",
                    options.Metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(options.Metadata, StringComparer.OrdinalIgnoreCase));
                await WriteTrailerAsync(file, header, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                (file as FileStream)?.Flush(flushToDisk: true);
            }
            catch (IOException ex) when (LocalDisk.IsFull(ex) && ex is not LocalDiskFullException)
            {
                // A full temporary folder met by whoever produces the content says so itself (LocalDiskFullException).
                throw new StorageException(StorageErrorKind.Other, 507, "InsufficientStorage", $"The data folder {RootDirectory} is full: blob '{name}' in container '{container}' was not written (nothing was committed). Free space on that disk, or use a data folder on a disk with room (datafirst run --data).", ex);
            }

            OwnerOnly.CreateDirectory(Path.GetDirectoryName(target)!);
            using (await AcquireLockAsync(containerDir, cancellationToken).ConfigureAwait(false))
            {
                // Closed only now (Windows cannot rename a file open without FileShare.Delete).
                await file.DisposeAsync().ConfigureAwait(false);
                file = null;
                var exists = File.Exists(target);
                if (options.IfNotExists && exists)
                {
                    throw BlobExists(container, name);
                }

                if (options.IfMatch is { } ifMatch && ifMatch != "*")
                {
                    var current = exists ? TryReadHeader(target) : null;
                    if (current is null || !ETagEquals(current.ETag, ifMatch))
                    {
                        throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob '{name}' in container '{container}' was not replaced: its ETag no longer matches (someone else changed or deleted it). Read it again and retry.");
                    }
                }
                else if (options.IfMatch == "*" && !exists)
                {
                    throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob '{name}' in container '{container}' was not replaced: it does not exist.");
                }

                File.Move(temp, target, overwrite: true);
            }

            Log.BlobUploaded(_logger, container, name, header.Length, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, nameof(FileSystemBlobStore));
            return header.ToInfo(container);
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            TryDelete(temp);
        }
    }

    /// <summary>
    /// Removes the upload files in every container's <c>.tmp</c> folder that no live upload owns: those of a process that
    /// was killed (SIGKILL, a crash, a power cut) while it wrote a blob, which hold part of that blob (personal data).
    /// Runs when the store is opened; call it again in a long-lived process. Returns the number of files removed.
    /// <para>
    /// Several processes may share a data folder (a <c>serve</c> host and a <c>run</c>), so age says nothing: an
    /// upload of a large extract can run for many minutes. Ownership is the OS lock instead. An upload holds its file
    /// open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a share lock on Windows) for as long
    /// as the file exists under its name, and the OS drops that lock when the process dies, however it dies. Under the
    /// container's lock, each file is opened with <see cref="FileShare.None"/> and deleted while so held; a file
    /// that cannot be opened that way belongs to a live upload and is kept. An upload creates its file under the
    /// container lock and keeps it open until it holds that lock again to commit, so there is no moment when a live
    /// upload's file exists unlocked. A container whose lock is busy is skipped (whoever holds it is active; the next
    /// call cleans it). With .NET's file locking turned off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>) a live file
    /// cannot be told from a dead one, so nothing is removed.
    /// </para>
    /// </summary>
    public int RemoveAbandonedUploads()
    {
        if (FileLockingDisabled())
        {
            Log.AbandonedUploadsKept(_logger, RootDirectory);
            return 0;
        }

        var removed = 0;
        try
        {
            foreach (var containerDir in Directory.EnumerateDirectories(RootDirectory))
            {
                removed += RemoveAbandonedUploads(containerDir);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: what is left is removed by the next call.
        }

        return removed;
    }

    private int RemoveAbandonedUploads(string containerDir)
    {
        var tempDir = Path.Combine(containerDir, TempFolder);
        if (!Directory.Exists(tempDir) || !Directory.EnumerateFiles(tempDir, "*.upload").Any())
        {
            return 0;
        }

        using var containerLock = TryAcquireLock(containerDir);
        if (containerLock is null)
        {
            return 0;
        }

        var removed = 0;
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(tempDir, "*.upload"))
        {
            try
            {
                // Deleted while this handle holds the exclusive lock. Windows cannot delete a file open without
                // FileShare.Delete, so there the handle deletes it on close (the open itself fails on a live upload's
                // file); on Unix the file is deleted explicitly, only once the lock has been granted.
                var windows = OperatingSystem.IsWindows();
                using var abandoned = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1, windows ? FileOptions.DeleteOnClose : FileOptions.None);
                bytes += abandoned.Length;
                if (!windows)
                {
                    File.Delete(path);
                }

                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Held by a live upload (or gone already): not ours to remove.
            }
        }

        if (removed > 0)
        {
            Log.AbandonedUploadsRemoved(_logger, Path.GetFileName(containerDir), removed, bytes);
        }

        return removed;
    }

    private static bool FileLockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        cancellationToken.ThrowIfCancellationRequested();
        var containerDir = RequireContainer(container);
        var path = BlobPath(containerDir, name);
        FileStream file;
        try
        {
            // FileShare.Delete: a replace or delete may proceed; this reader keeps the old content.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BlobNotFound(container, name);
        }

        try
        {
            var header = ReadHeader(file, path);
            file.Position = 0;
            return Task.FromResult<Stream>(new BoundedReadStream(file, header.Length));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        cancellationToken.ThrowIfCancellationRequested();
        var containerDir = RequireContainer(container);
        return Task.FromResult(TryReadHeader(BlobPath(containerDir, name))?.ToInfo(container));
    }

    public Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidatePrefix(prefix);
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > DefaultPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), size, $"Page size must be between 1 and {DefaultPageSize}.");
        }

        var containerDir = RequireContainer(container);
        var after = ContinuationTokens.Decode(continuationToken, "blob store");
        var matches = new List<BlobHeader>();
        var blobsDir = Path.Combine(containerDir, BlobsFolder);
        if (Directory.Exists(blobsDir))
        {
            foreach (var path in Directory.EnumerateFiles(blobsDir, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var header = TryReadHeader(path);
                if (header is null)
                {
                    continue;
                }

                if (prefix is not null && !header.Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (after is not null && string.CompareOrdinal(header.Name, after) <= 0)
                {
                    continue;
                }

                matches.Add(header);
            }
        }

        matches.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var page = matches.Take(size).Select(h => h.ToInfo(container)).ToList();
        var token = matches.Count > size ? ContinuationTokens.Encode(page[^1].Name) : null;
        return Task.FromResult(new BlobPage(page, token));
    }

    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        var containerDir = RequireContainer(container);
        var path = BlobPath(containerDir, name);
        using (await AcquireLockAsync(containerDir, cancellationToken).ConfigureAwait(false))
        {
            var current = TryReadHeader(path);
            if (current is null)
            {
                return false;
            }

            if (ifMatch is not null && ifMatch != "*" && !ETagEquals(current.ETag, ifMatch))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob '{name}' in container '{container}' was not deleted: its ETag no longer matches. Read it again and retry.");
            }

            File.Delete(path);
            return true;
        }
    }

    private string ContainerPath(string container) => Path.Combine(RootDirectory, container);

    private string RequireContainer(string container)
    {
        var dir = ContainerPath(container);
        if (!Directory.Exists(dir))
        {
            throw new StorageException(StorageErrorKind.NotFound, 404, "ContainerNotFound", $"Container '{container}' does not exist: create it first (CreateContainerIfNotExistsAsync).");
        }

        return dir;
    }

    private static string BlobPath(string containerDir, string name)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        return Path.Combine(containerDir, BlobsFolder, hash[..2], hash);
    }

    private static StorageException BlobExists(string container, string name) =>
        new(StorageErrorKind.Conflict, 409, "BlobAlreadyExists", $"Blob '{name}' already exists in container '{container}' and the upload was create-only.");

    private static StorageException BlobNotFound(string container, string name) =>
        new(StorageErrorKind.NotFound, 404, "BlobNotFound", $"Blob '{name}' does not exist in container '{container}'.");

    private static string NewETag() => $"\"0x{Guid.NewGuid():N}\"";

    internal static bool ETagEquals(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.Ordinal);

    private static async Task<long> CopyContentAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
            }

            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteTrailerAsync(Stream file, BlobHeader header, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header, BlobHeaderJsonContext.Default.BlobHeader);
        var footer = new byte[FooterLength];
        BinaryPrimitives.WriteInt32LittleEndian(footer, json.Length);
        Magic.CopyTo(footer, 4);
        await file.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync(footer, cancellationToken).ConfigureAwait(false);
    }

    private static BlobHeader? TryReadHeader(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
            return ReadHeader(file, path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static BlobHeader ReadHeader(FileStream file, string path)
    {
        if (file.Length < FooterLength)
        {
            throw Corrupt(path);
        }

        Span<byte> footer = stackalloc byte[FooterLength];
        file.Position = file.Length - FooterLength;
        file.ReadExactly(footer);
        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(footer);
        if (!footer[4..].SequenceEqual(Magic) || jsonLength <= 0 || jsonLength > file.Length - FooterLength)
        {
            throw Corrupt(path);
        }

        var json = new byte[jsonLength];
        file.Position = file.Length - FooterLength - jsonLength;
        file.ReadExactly(json);
        var header = JsonSerializer.Deserialize(json, BlobHeaderJsonContext.Default.BlobHeader) ?? throw Corrupt(path);
        if (header.Length != file.Length - FooterLength - jsonLength)
        {
            throw Corrupt(path);
        }

        return header;
    }

    private static StorageException Corrupt(string path) =>
        new(StorageErrorKind.Other, 500, "CorruptBlobFile", $"Blob file '{path}' is damaged (bad trailer). Delete it or restore it from a backup.");

    /// <summary>The container's lock file, held: FileShare.None takes an exclusive OS lock (flock on Unix, a share lock on
    /// Windows), which holds across processes and is released if the process dies.</summary>
    private static FileStream OpenLock(string path) =>
        new(path, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));

    /// <summary>The container lock if it is free within a moment (it is held for microseconds at a time), else null.</summary>
    private static FileStream? TryAcquireLock(string containerDir)
    {
        var path = Path.Combine(containerDir, LockFile);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return OpenLock(path);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(10);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    private static async Task<IDisposable> AcquireLockAsync(string containerDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(containerDir, LockFile);
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 1;
        while (true)
        {
            try
            {
                return OpenLock(path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 50);
            }
            catch (IOException ex)
            {
                throw new StorageException(StorageErrorKind.Other, 503, "LockTimeout", $"Timed out after {LockTimeout.TotalSeconds:0}s waiting for the lock file '{path}'. Another process holds it; retry later.", ex);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is invisible to readers and listing.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Reads exactly the first <c>length</c> bytes of the file (the content, not the trailer).</summary>
    private sealed class BoundedReadStream(FileStream inner, long length) : ForwardReadStream
    {
        public override long Length => length;

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer[..Clamp(buffer.Length)]);
            BytesRead += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer[..Clamp(buffer.Length)], cancellationToken).ConfigureAwait(false);
            BytesRead += n;
            return n;
        }

        private int Clamp(int requested) => (int)Math.Min(requested, length - BytesRead);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

internal sealed record BlobHeader(
    string Name,
    string ETag,
    long Length,
    DateTimeOffset LastModified,
    string? ContentType,
    Dictionary<string, string> Metadata)
{
    public BlobItemInfo ToInfo(string container) =>
        new(container, Name, Length, ETag, LastModified, ContentType, new Dictionary<string, string>(Metadata, StringComparer.OrdinalIgnoreCase));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(BlobHeader))]
internal sealed partial class BlobHeaderJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

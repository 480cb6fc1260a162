namespace DataFirst.Storage.Embedded;

/// <summary>
/// Folders and files of the embedded stores hold personal data (raw and clean copies of extracts, record sets) and run
/// history: on Unix they are created readable by their owner only, folders 0700 and files 0600, whatever the umask
/// allows (a umask can only take bits away). On Windows they inherit the data folder's ACL, as any file does.
/// Only what is created is affected: an existing folder or file keeps its mode.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parents (0700 on Unix) unless it exists.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents get 0777 less
        // the umask. Each missing parent is created here first, so a new data folder ({data}/blobs) is owner-only too.
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return;
        }

        if (Path.GetDirectoryName(full) is { } parent)
        {
            CreateDirectory(parent);
        }

        Directory.CreateDirectory(full, DirectoryPermissions);
    }

    /// <summary>
    /// Options for a file stream; a file it creates is 0600 on Unix. <paramref name="mode"/> must be one that may create
    /// the file (<c>CreateNew</c>, <c>OpenOrCreate</c>, <c>Create</c>).
    /// </summary>
    public static FileStreamOptions Create(FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options)
    {
        var result = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (!OperatingSystem.IsWindows())
        {
            result.UnixCreateMode = FilePermissions;
        }

        return result;
    }
}

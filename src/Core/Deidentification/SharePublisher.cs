using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Deidentification;

/// <summary>A file to publish: its name in the version folder and how to open its content.</summary>
public sealed record ShareFile(string Name, Func<CancellationToken, Task<Stream>> OpenAsync, string ContentType = "application/octet-stream")
{
    public static ShareFile FromBlob(IBlobStore store, string container, string blobName, string name, string contentType) =>
        new(name, ct => store.OpenReadAsync(container, blobName, ct), contentType);

    public static ShareFile FromBytes(string name, byte[] content, string contentType) =>
        new(name, _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)), contentType);

    public static string ContentTypeFor(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".csv" => "text/csv; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    };
}

public enum ShareVersionState
{
    /// <summary>Nothing under srs-transfer/{share}/{version}/.</summary>
    Absent,

    /// <summary>Files but no manifest: an interrupted publication, never presented as complete.</summary>
    Incomplete,

    /// <summary>manifest.json exists: published.</summary>
    Complete,
}

public sealed record SharePublishOptions
{
    public string Container { get; init; } = SharePublisher.DefaultContainer;

    /// <summary>The manifest's creation time (from the workflow context for determinism); default now.</summary>
    public DateTimeOffset? CreatedUtc { get; init; }
}

public sealed record PublishResult(string Container, string Prefix, IReadOnlyList<ManifestEntry> Files, string ManifestSha256, bool ResumedIncomplete);

/// <summary>
/// Publishes a share version write-once to <c>srs-transfer/{share}/{version}/</c>: every file is
/// created with a conditional create (never overwriting), hashed while it uploads, and
/// manifest.json (sizes and SHA-256) is written last, so a version without a manifest is
/// recognisably incomplete. A version whose manifest exists is refused. A retry after an
/// interruption resumes: files already there with identical content are accepted.
/// </summary>
public static partial class SharePublisher
{
    public const string DefaultContainer = "srs-transfer";

    /// <summary>Names that must never reach srs-transfer (internal reports and mappings).</summary>
    private static readonly string[] InternalOnlyPrefixes = ["disclosure-risk", "person-ids", "person_id_mapping", "run-report"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex SegmentPattern();

    public static string Prefix(string share, string version) => $"{share}/{version}/";

    public static async Task<ShareVersionState> GetStateAsync(IBlobStore store, string share, string version, string container = DefaultContainer, CancellationToken cancellationToken = default)
    {
        ValidateSegments(share, version);
        if (await store.GetPropertiesAsync(container, Prefix(share, version) + ManifestBuilder.FileName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return ShareVersionState.Complete;
        }

        try
        {
            var page = await store.ListPageAsync(container, Prefix(share, version), null, 1, cancellationToken).ConfigureAwait(false);
            return page.Items.Count > 0 ? ShareVersionState.Incomplete : ShareVersionState.Absent;
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
        {
            return ShareVersionState.Absent;
        }
    }

    public static Task<PublishResult> PublishAsync(IBlobStore store, string share, string version, IReadOnlyList<ShareFile> files, CancellationToken cancellationToken = default) =>
        PublishAsync(store, share, version, files, new SharePublishOptions(), cancellationToken);

    public static async Task<PublishResult> PublishAsync(
        IBlobStore store,
        string share,
        string version,
        IReadOnlyList<ShareFile> files,
        SharePublishOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var container = options.Container;
        var createdUtc = options.CreatedUtc ?? DateTimeOffset.UtcNow;
        ArgumentNullException.ThrowIfNull(files);
        ValidateSegments(share, version);
        ValidateFiles(files);

        var prefix = Prefix(share, version);
        var manifestName = prefix + ManifestBuilder.FileName;
        await store.CreateContainerIfNotExistsAsync(container, cancellationToken).ConfigureAwait(false);
        if (await store.GetPropertiesAsync(container, manifestName, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw AlreadyPublished(container, share, version, null);
        }

        var manifest = new ManifestBuilder();
        var resumed = false;
        foreach (var file in files)
        {
            var blobName = prefix + file.Name;
            ManifestEntry entry;
            await using (var source = await file.OpenAsync(cancellationToken).ConfigureAwait(false))
            await using (var hashing = new HashingReadStream(source, leaveOpen: true))
            {
                try
                {
                    var info = await store.UploadAsync(container, blobName, hashing, new BlobUploadOptions { IfNotExists = true, ContentType = file.ContentType }, cancellationToken).ConfigureAwait(false);
                    await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
                    entry = new ManifestEntry(file.Name, hashing.BytesRead, Convert.ToHexStringLower(hashing.GetHash()));
                    if (info.Length != entry.Bytes)
                    {
                        throw new SharePublicationException($"{container}/{blobName}: the store reports {info.Length} bytes but {entry.Bytes} were sent; the version is incomplete (no manifest). Retry the publication.");
                    }
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
                {
                    entry = await ResumeExistingAsync(store, container, blobName, file, ex, share, version, cancellationToken).ConfigureAwait(false);
                    resumed = true;
                }
            }

            manifest.Add(entry);
        }

        var manifestBytes = manifest.Build(share, version, createdUtc);
        try
        {
            await store.UploadBytesAsync(container, manifestName, manifestBytes, new BlobUploadOptions { IfNotExists = true, ContentType = ShareFile.ContentTypeFor(ManifestBuilder.FileName) }, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
        {
            throw AlreadyPublished(container, share, version, ex);
        }

        return new PublishResult(container, prefix, manifest.Entries, Convert.ToHexStringLower(SHA256.HashData(manifestBytes)), resumed);
    }

    /// <summary>Re-hashes every file of a published version against its manifest; returns the problems found (empty when intact).</summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IBlobStore store, string share, string version, string container = DefaultContainer, CancellationToken cancellationToken = default)
    {
        ValidateSegments(share, version);
        var prefix = Prefix(share, version);
        if (await store.GetPropertiesAsync(container, prefix + ManifestBuilder.FileName, cancellationToken).ConfigureAwait(false) is null)
        {
            return [$"{container}/{prefix}{ManifestBuilder.FileName} is missing: the version is not complete"];
        }

        var manifest = ManifestBuilder.Parse(await store.DownloadBytesAsync(container, prefix + ManifestBuilder.FileName, cancellationToken).ConfigureAwait(false));
        var problems = new List<string>();
        foreach (var f in manifest.Files)
        {
            if (await store.GetPropertiesAsync(container, prefix + f.Path, cancellationToken).ConfigureAwait(false) is null)
            {
                problems.Add($"{f.Path}: listed in the manifest but missing");
                continue;
            }

            await using var s = await store.OpenReadAsync(container, prefix + f.Path, cancellationToken).ConfigureAwait(false);
            var actual = await ManifestBuilder.HashAsync(f.Path, s, cancellationToken).ConfigureAwait(false);
            if (actual.Sha256 != f.Sha256 || actual.Bytes != f.Bytes)
            {
                problems.Add($"{f.Path}: size or SHA-256 differs from the manifest");
            }
        }

        return problems;
    }

    private static async Task<ManifestEntry> ResumeExistingAsync(IBlobStore store, string container, string blobName, ShareFile file, StorageException conflict, string share, string version, CancellationToken cancellationToken)
    {
        if (await store.GetPropertiesAsync(container, Prefix(share, version) + ManifestBuilder.FileName, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw AlreadyPublished(container, share, version, conflict);
        }

        ManifestEntry ours;
        await using (var again = await file.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            ours = await ManifestBuilder.HashAsync(file.Name, again, cancellationToken).ConfigureAwait(false);
        }

        ManifestEntry theirs;
        await using (var existing = await store.OpenReadAsync(container, blobName, cancellationToken).ConfigureAwait(false))
        {
            theirs = await ManifestBuilder.HashAsync(file.Name, existing, cancellationToken).ConfigureAwait(false);
        }

        if (ours != theirs)
        {
            throw new SharePublicationException(
                $"{container}/{blobName} exists from an earlier, interrupted publication of share '{share}' version '{version}' with different content. " +
                "That version has no manifest and is not presented as complete; publish under a new version (or have an administrator remove the incomplete folder if retention allows).",
                conflict);
        }

        return ours;
    }

    private static SharePublicationException AlreadyPublished(string container, string share, string version, Exception? inner) =>
        new($"Share '{share}' version '{version}' is already published ({container}/{Prefix(share, version)}{ManifestBuilder.FileName} exists). Published versions are never overwritten: set a new version in the share spec and run again.", inner);

    private static void ValidateSegments(string share, string version)
    {
        if (!SegmentPattern().IsMatch(share ?? string.Empty))
        {
            throw new SharePublicationException("The share name must be 1-63 characters of a-z, 0-9, '.', '_' or '-' (see the share spec's $.share).");
        }

        if (!SegmentPattern().IsMatch(version ?? string.Empty))
        {
            throw new SharePublicationException("The share version must be 1-63 characters of a-z, 0-9, '.', '_' or '-' (see the share spec's $.version).");
        }
    }

    private static void ValidateFiles(IReadOnlyList<ShareFile> files)
    {
        if (files.Count == 0)
        {
            throw new SharePublicationException("Nothing to publish: the file list is empty.");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in files)
        {
            if (!FileNamePattern().IsMatch(f.Name))
            {
                throw new SharePublicationException($"Share file name '{f.Name}' is not allowed: use letters, digits, '.', '_' or '-' (no folders).");
            }

            if (string.Equals(f.Name, ManifestBuilder.FileName, StringComparison.OrdinalIgnoreCase))
            {
                throw new SharePublicationException("Do not pass manifest.json: the publisher builds it from the files and writes it last.");
            }

            if (InternalOnlyPrefixes.Any(p => f.Name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                throw new SharePublicationException($"'{f.Name}' is an internal file (disclosure-risk report, person id mapping or run report) and is never published to a share.");
            }

            if (!names.Add(f.Name))
            {
                throw new SharePublicationException($"Share file '{f.Name}' is listed twice.");
            }
        }
    }
}

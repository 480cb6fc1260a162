using DataFirst.Core.Deidentification;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Publishes the share version write-once to srs-transfer/{share}/{version}/: every file is
/// created only if absent, the manifest (sizes, SHA-256) last, so a half-written version is never
/// presented as complete; an already published version is refused.
/// </summary>
public sealed class PublishShareActivity(PipelineServices services)
{
    public const string Name = nameof(PublishShareActivity);

    public async Task<PublishShareResult> RunAsync(PublishShareInput input, CancellationToken cancellationToken)
    {
        var files = input.Files.Select(f =>
        {
            var (container, name) = BlobRef.Split(f.Blob);
            return ShareFile.FromBlob(services.Blobs, container, name, f.Name, ShareFile.ContentTypeFor(f.Name));
        }).ToList();
        // A retry after a publication that completed but was not recorded: the same files are already there.
        if (await SharePublisher.GetStateAsync(services.Blobs, input.Run.Share, input.Run.Version, PipelineServices.TransferContainer, cancellationToken).ConfigureAwait(false) == ShareVersionState.Complete
            && await AlreadyPublishedAsync(input, files, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var options = new SharePublishOptions { CreatedUtc = new DateTimeOffset(input.Run.RunDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) };
        var result = await SharePublisher.PublishAsync(services.Blobs, input.Run.Share, input.Run.Version, files, options, cancellationToken).ConfigureAwait(false);
        return new PublishShareResult($"{result.Container}/{result.Prefix}", result.Files.Count, result.ManifestSha256);
    }

    private async Task<PublishShareResult?> AlreadyPublishedAsync(PublishShareInput input, IReadOnlyList<ShareFile> files, CancellationToken cancellationToken)
    {
        var prefix = SharePublisher.Prefix(input.Run.Share, input.Run.Version);
        var manifestBytes = await services.Blobs.DownloadBytesAsync(PipelineServices.TransferContainer, prefix + ManifestBuilder.FileName, cancellationToken).ConfigureAwait(false);
        var manifest = ManifestBuilder.Parse(manifestBytes);
        if (manifest.Files.Count != files.Count)
        {
            return null;
        }

        foreach (var file in files)
        {
            await using var content = await file.OpenAsync(cancellationToken).ConfigureAwait(false);
            var entry = await ManifestBuilder.HashAsync(file.Name, content, cancellationToken).ConfigureAwait(false);
            if (!manifest.Files.Contains(entry))
            {
                return null;
            }
        }

        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifestBytes));
        return new PublishShareResult($"{PipelineServices.TransferContainer}/{prefix}", files.Count, sha);
    }
}

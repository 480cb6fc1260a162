using System.Security.Cryptography;
using System.Text.Json;

namespace DataFirst.Core.Deidentification;

/// <summary>One published file: its path inside the version folder, size in bytes and SHA-256 (lower-case hex).</summary>
public sealed record ManifestEntry(string Path, long Bytes, string Sha256);

/// <summary>
/// manifest.json of a share version: each file's size and SHA-256. Written last by
/// <see cref="SharePublisher"/>; its presence is what marks a version complete.
/// </summary>
public sealed class ManifestBuilder
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly List<ManifestEntry> _entries = [];

    public IReadOnlyList<ManifestEntry> Entries => _entries;

    public ManifestBuilder Add(ManifestEntry entry)
    {
        if (_entries.Any(e => string.Equals(e.Path, entry.Path, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DeidentificationException($"The manifest already lists '{entry.Path}'; each share file must have a unique name.");
        }

        _entries.Add(entry);
        return this;
    }

    /// <summary>Reads the stream to its end and returns its size and SHA-256.</summary>
    public static async Task<ManifestEntry> HashAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return new ManifestEntry(path, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public byte[] Build(string share, string version, DateTimeOffset createdUtc) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ShareManifest(share, version, createdUtc.ToUniversalTime(), "SHA-256", _entries),
            JsonOptions);

    public static ShareManifest Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<ShareManifest>(json, JsonOptions)
        ?? throw new DeidentificationException("manifest.json is empty; the version is not complete.");
}

public sealed record ShareManifest(string Share, string Version, DateTimeOffset CreatedUtc, string Algorithm, IReadOnlyList<ManifestEntry> Files);

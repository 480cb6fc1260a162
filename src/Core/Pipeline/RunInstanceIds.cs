using System.Security.Cryptography;
using System.Text;

namespace DataFirst.Core.Pipeline;

/// <summary>Deterministic orchestration instance ids, so the same upload never starts two runs.</summary>
public static class RunInstanceIds
{
    /// <summary>"{share}-{hash of blob name + ETag}": the same blob version always gives the same id.</summary>
    public static string FromBlob(string blobName, string etag)
    {
        var share = RunRequestParser.ShareOfManifest(blobName) ?? "run";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{blobName}\n{etag.Trim('"')}"));
        return $"{share}-{Convert.ToHexStringLower(hash, 0, 10)}";
    }

    /// <summary>A new id for a run started by hand (HTTP or CLI), from a share and a start time.</summary>
    public static string ForManualRun(string share, DateTimeOffset startedUtc, string? nonce = null) =>
        $"{share}-{startedUtc.UtcDateTime:yyyyMMddHHmmss}-{nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}

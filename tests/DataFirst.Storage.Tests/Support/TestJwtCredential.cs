using System.Text;
using System.Text.Json;
using Azure.Core;

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// Issues unsigned-but-well-formed JWTs of the shape Azurite's <c>--oauth basic</c> checks:
/// an Entra issuer (https://sts.windows.net/{tenant}/), audience https://storage.azure.com,
/// and iat / nbf / exp. Records the scopes it was asked for.
/// </summary>
public sealed class TestJwtCredential(string audience = "https://storage.azure.com", TimeSpan? lifetime = null, string issuer = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/") : TokenCredential
{
    private readonly TimeSpan _lifetime = lifetime ?? TimeSpan.FromHours(1);

    public List<string> RequestedScopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (RequestedScopes)
        {
            RequestedScopes.AddRange(requestContext.Scopes);
        }

        var now = DateTimeOffset.UtcNow;
        var expires = now + _lifetime;
        var header = new { alg = "RS256", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = issuer,
            ["iat"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["oid"] = "11111111-2222-3333-4444-555555555555",
            ["tid"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            ["sub"] = "datafirst-tests",
        };
        var token = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}.{Base64Url(Encoding.ASCII.GetBytes("not-a-real-signature"))}";

        // An already expired token is still handed out (to prove the server rejects it); Azure.Core
        // would otherwise ask again at once, so report a future expiry to the pipeline.
        return new AccessToken(token, expires > now ? expires : now.AddMinutes(10));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Security.Cryptography;

namespace DataFirst.Cli.Tests.Support;

/// <summary>Pseudonymisation keys for child processes, made at test time (never committed).</summary>
internal static class TestKeys
{
    public static Dictionary<string, string> For(string keyId) =>
        new() { [$"DATAFIRST_KEY_{keyId.ToUpperInvariant().Replace('-', '_')}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

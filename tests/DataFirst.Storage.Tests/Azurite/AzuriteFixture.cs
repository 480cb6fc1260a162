// Shared test support: this file is compiled into DataFirst.Storage.Tests and may be linked into
// other test projects with
//   <Compile Include="..\DataFirst.Storage.Tests\Azurite\AzuriteFixture.cs" Link="Azurite\AzuriteFixture.cs" />
// It depends only on the BCL and xunit. See docs/storage.md ("Azurite in tests").
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DataFirst.Testing.Azurite;

/// <summary>
/// xunit collection fixture: one Azurite (the version pinned in the repo's package.json) for the
/// whole collection, on free loopback ports, in-memory. Use with
/// <c>[Collection(AzuriteCollection.Name)]</c> and take <see cref="AzuriteFixture"/> in the
/// constructor.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? _instance;

    public AzuriteInstance Instance => _instance ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>Shared Key connection string (well-known emulator account) with the actual ports.</summary>
    public string ConnectionString => Instance.ConnectionString;

    public async Task InitializeAsync() => _instance = await AzuriteInstance.StartAsync(new AzuriteOptions());

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>How to start Azurite.</summary>
public sealed record AzuriteOptions
{
    /// <summary>HTTPS with a self-signed certificate generated for 127.0.0.1 (see <see cref="AzuriteInstance.Certificate"/>).</summary>
    public bool Https { get; init; }

    /// <summary><c>--oauth basic</c>: accept bearer tokens (checks issuer, audience, lifetime; not the signature). Implies HTTPS.</summary>
    public bool OAuth { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>One Azurite process started by a test; disposing kills exactly that process tree.</summary>
public sealed class AzuriteInstance : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, publicly documented key (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _workDirectory;
    private readonly StringBuilder _output;

    private AzuriteInstance(Process process, string workDirectory, StringBuilder output, int blobPort, int queuePort, int tablePort, string scheme, X509Certificate2? certificate)
    {
        _process = process;
        _workDirectory = workDirectory;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        Scheme = scheme;
        Certificate = certificate;
    }

    public int ProcessId => _process.Id;

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string Scheme { get; }

    /// <summary>The self-signed server certificate when HTTPS is on (trust it by thumbprint).</summary>
    public X509Certificate2? Certificate { get; }

    public Uri BlobEndpoint => new($"{Scheme}://127.0.0.1:{BlobPort}/{AccountName}");

    public Uri QueueEndpoint => new($"{Scheme}://127.0.0.1:{QueuePort}/{AccountName}");

    public Uri TableEndpoint => new($"{Scheme}://127.0.0.1:{TablePort}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol={Scheme};AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>Azurite's console output so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>An HTTP handler that trusts exactly this instance's certificate (or the default handler for HTTP).</summary>
    public HttpMessageHandler CreateHttpHandler()
    {
        var handler = new SocketsHttpHandler();
        if (Certificate is { } certificate)
        {
            var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                errors == SslPolicyErrors.None
                || (cert is not null && string.Equals(cert.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase));
        }

        return handler;
    }

    /// <summary>Starts Azurite from the repo's node_modules; fails (not skips) when it is not installed.</summary>
    public static async Task<AzuriteInstance> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        var executable = FindAzurite();
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await StartOnceAsync(executable, options, cancellationToken);
            }
            catch (AzuriteStartException ex) when (ex.PortInUse)
            {
                // Another process took a port between our probe and Azurite's bind: pick new ones.
                last = ex;
            }
        }

        throw new InvalidOperationException("Azurite could not bind free ports after 3 attempts.", last);
    }

    /// <summary>node_modules/.bin/azurite of the repository that contains this test run.</summary>
    public static string FindAzurite()
    {
        var root = FindRepoRoot();
        var name = OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite";
        var path = Path.Combine(root, "node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: '{path}' is missing. Run `npm ci` in '{root}' (./test.sh does that) to install the version pinned in package.json, then run the tests again.");
        }

        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "DataFirst.Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Cannot find the repository root (a folder with package.json and DataFirst.Serverless.sln) above '{AppContext.BaseDirectory}'.");
    }

    private static async Task<AzuriteInstance> StartOnceAsync(string executable, AzuriteOptions options, CancellationToken cancellationToken)
    {
        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        var work = Path.Combine(Path.GetTempPath(), "datafirst-azurite", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var https = options.Https || options.OAuth;
        X509Certificate2? certificate = null;
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = work,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (https)
        {
            certificate = CreateSelfSignedCertificate();
            var certPath = Path.Combine(work, "cert.pem");
            var keyPath = Path.Combine(work, "key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), cancellationToken);
            using (var rsa = certificate.GetRSAPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, rsa.ExportPkcs8PrivateKeyPem(), cancellationToken);
            }

            startInfo.ArgumentList.Add("--cert");
            startInfo.ArgumentList.Add(certPath);
            startInfo.ArgumentList.Add("--key");
            startInfo.ArgumentList.Add(keyPath);
        }

        if (options.OAuth)
        {
            startInfo.ArgumentList.Add("--oauth");
            startInfo.ArgumentList.Add("basic");
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < 64 * 1024)
                {
                    output.AppendLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = new AzuriteInstance(process, work, output, blobPort, queuePort, tablePort, https ? "https" : "http", certificate);
        try
        {
            await WaitUntilListeningAsync(instance, options.StartTimeout, cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitUntilListeningAsync(AzuriteInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new List<int> { instance.BlobPort, instance.QueuePort, instance.TablePort };
        while (pending.Count > 0)
        {
            if (instance._process.HasExited)
            {
                var text = instance.Output;
                throw new AzuriteStartException(
                    $"Azurite exited with code {instance._process.ExitCode} before listening. Output:\n{text}",
                    text.Contains("EADDRINUSE", StringComparison.Ordinal));
            }

            if (deadline.Elapsed > timeout)
            {
                throw new AzuriteStartException($"Azurite did not listen on ports {string.Join(", ", pending)} within {timeout.TotalSeconds:0}s. Output:\n{instance.Output}", portInUse: false);
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, pending[i], cancellationToken);
                    pending.RemoveAt(i);
                }
                catch (SocketException)
                {
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>RSA 2048, CN=127.0.0.1 with IP and DNS SANs, valid for one day.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            Certificate?.Dispose();
            try
            {
                Directory.Delete(_workDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private sealed class AzuriteStartException(string message, bool portInUse) : Exception(message)
    {
        public bool PortInUse { get; } = portInUse;
    }
}

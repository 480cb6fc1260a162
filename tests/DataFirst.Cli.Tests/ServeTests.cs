using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Core.Synthetic;
using DataFirst.Storage.Embedded;

namespace DataFirst.Cli.Tests;

/// <summary>The local host's HTTP API and extracts watcher, on embedded storage, as a real process.</summary>
public sealed class ServeTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly Dictionary<string, string> _environment = TestKeys.For("web");
    private ServeProcess? _serve;

    private string Data => _temp.Combine("data");

    public async Task InitializeAsync()
    {
        await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 300, Seed = 21, Datasets = ["magistrates", "crown_court", "prisons"] }, _temp.Combine("extracts"), CancellationToken.None);
        _serve = await ServeProcess.StartAsync(_temp.Path, _environment, "--data", Data);
    }

    public Task DisposeAsync()
    {
        _serve?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PostRun_ValidRequest_Returns202WithStatusUrls_AndTheRunCompletes()
    {
        var extracts = await UploadAsync("web");
        var request = new { share = "web", version = "v1", extracts = extracts.Select(e => new { dataset = e.Dataset, blob = e.Blob }) };

        var response = await _serve!.Http.PostAsJsonAsync("/api/runs", request);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        response.Headers.Location!.ToString().Should().Be(body.GetProperty("statusQueryGetUri").GetString());
        var status = await _serve.WaitForRunAsync(id, TimeSpan.FromMinutes(3));
        status.GetProperty("runtimeStatus").GetString().Should().Be("Completed", status.ToString());
        status.GetProperty("output").GetProperty("publishedTo").GetString().Should().Be("srs-transfer/web/v1/");
        status.GetProperty("customStatus").GetProperty("stage").GetString().Should().Be("completed");
    }

    [Theory]
    [InlineData("{ \"share\": \"web\" }", "$.extracts")]
    [InlineData("{ \"share\": \"web\", \"extracts\": [ { \"dataset\": \"magistrates\" } ] }", "$.extracts[0].blob")]
    [InlineData("not json", "$ (line 1)")]
    public async Task PostRun_MalformedRequest_Returns400NamingTheJsonPath(string json, string path)
    {
        var response = await _serve!.Http.PostAsync("/api/runs", new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("path").GetString().Should().Be(path);
    }

    [Fact]
    public async Task UnknownRun_Returns404_ForStatusAndTerminate()
    {
        (await _serve!.Http.GetAsync("/api/runs/no-such-run")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _serve.Http.PostAsync("/api/runs/no-such-run/terminate", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostRun_MissingExtract_FailsFastNamingIt()
    {
        var request = new { share = "web", version = "v9", extracts = new[] { new { dataset = "magistrates", blob = "extracts/web/nowhere.csv" } } };

        var response = await _serve!.Http.PostAsJsonAsync("/api/runs", request);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var status = await _serve.WaitForRunAsync(id, TimeSpan.FromMinutes(1));

        status.GetProperty("runtimeStatus").GetString().Should().Be("Failed");
        status.GetProperty("error").GetString().Should().Contain("extracts/web/nowhere.csv").And.Contain("does not exist");
    }

    [Fact]
    public async Task Watcher_ManifestUpload_StartsOneRun_EvenAcrossRestarts()
    {
        await UploadAsync("watched");
        var blobs = new FileSystemBlobStore(Path.Combine(Data, "blobs"));
        var manifest = await blobs.UploadBytesAsync("extracts", "watched/_run.json", Encoding.UTF8.GetBytes("""{ "extracts": ["magistrates.csv", "crown_court.csv", "prisons.csv"], "version": "v1", "keyId": "web" }"""));
        var expectedId = RunInstanceIds.FromBlob("watched/_run.json", manifest.ETag);

        var ids = await _serve!.WaitForRunsAsync(1, TimeSpan.FromSeconds(30));
        ids.Should().Contain(expectedId);
        var status = await _serve.WaitForRunAsync(expectedId, TimeSpan.FromMinutes(3));
        status.GetProperty("runtimeStatus").GetString().Should().Be("Completed", status.ToString());

        // A restarted host sees the same blob and ETag: the receipt stops a second run.
        _serve.Dispose();
        _serve = await ServeProcess.StartAsync(_temp.Path, _environment, "--data", Data);
        await Task.Delay(1500);
        var runs = await _serve.Http.GetFromJsonAsync<JsonElement>("/api/runs");
        runs.EnumerateArray().Count(r => r.GetProperty("instanceId").GetString()!.StartsWith("watched-", StringComparison.Ordinal)).Should().Be(1);
    }

    private async Task<IReadOnlyList<ExtractReference>> UploadAsync(string share)
    {
        // The host's embedded storage is a folder: another process can write to it safely.
        var blobs = new FileSystemBlobStore(Path.Combine(Data, "blobs"));
        await blobs.CreateContainerIfNotExistsAsync("extracts");
        var result = new List<ExtractReference>();
        foreach (var file in Directory.GetFiles(_temp.Combine("extracts"), "*.csv"))
        {
            await using var stream = File.OpenRead(file);
            await blobs.UploadAsync("extracts", $"{share}/{Path.GetFileName(file)}", stream);
            result.Add(new ExtractReference(Path.GetFileNameWithoutExtension(file), $"extracts/{share}/{Path.GetFileName(file)}"));
        }

        return result;
    }
}

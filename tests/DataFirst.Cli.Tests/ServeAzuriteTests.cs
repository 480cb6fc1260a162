using System.Text;
using DataFirst.Cli.Tests.Support;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Profiles;
using DataFirst.Core.Storage;
using DataFirst.Core.Synthetic;
using DataFirst.Storage;
using DataFirst.Testing;
using DataFirst.Testing.Azurite;

namespace DataFirst.Cli.Tests;

/// <summary>
/// The local host against Azurite, end to end: extracts and a run manifest are uploaded to the
/// emulator, the watcher starts the run, the HTTP API reports it to completion, and the share is
/// in Azurite's srs-transfer container without identifiers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServeAzuriteTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Watcher_ManifestInAzurite_RunsThePipeline_AndPublishesTheShareToAzurite()
    {
        using var temp = new TempFolder();
        await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = 300, Seed = 17, Datasets = ["magistrates", "crown_court", "probation"] }, temp.Combine("extracts"), CancellationToken.None);
        using var storage = StorageFactory.Create(new StorageOptions { ConnectionString = azurite.ConnectionString });
        await storage.Blobs.CreateContainerIfNotExistsAsync("extracts");
        foreach (var file in Directory.GetFiles(temp.Combine("extracts"), "*.csv"))
        {
            await using var stream = File.OpenRead(file);
            await storage.Blobs.UploadAsync("extracts", $"azshare/{Path.GetFileName(file)}", stream);
        }

        var manifest = await storage.Blobs.UploadBytesAsync("extracts", "azshare/_run.json", Encoding.UTF8.GetBytes("""{ "extracts": ["magistrates.csv", "crown_court.csv", "probation.csv"], "version": "v1" }"""));
        var id = RunInstanceIds.FromBlob("azshare/_run.json", manifest.ETag);

        using var serve = await ServeProcess.StartAsync(temp.Path, TestKeys.For("azshare"), "--storage", azurite.ConnectionString, "--data", temp.Combine("data"));
        (await serve.WaitForRunsAsync(1, TimeSpan.FromSeconds(60))).Should().Contain(id);
        var status = await serve.WaitForRunAsync(id, TimeSpan.FromMinutes(4));

        status.GetProperty("runtimeStatus").GetString().Should().Be("Completed", status.ToString());
        var published = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in storage.Blobs.ListAllAsync("srs-transfer", "azshare/v1/"))
        {
            published[blob.Name["azshare/v1/".Length..]] = Encoding.UTF8.GetString(await storage.Blobs.DownloadBytesAsync("srs-transfer", blob.Name));
        }

        published.Keys.Should().Contain(["manifest.json", "catalogue.json", "magistrates.csv", "crown_court.csv", "probation.csv", "linking.csv"]);
        var scanner = IdentifierScanner.FromExtracts(temp.Combine("extracts"), ProfileCatalog.LoadBuiltIn());
        published.SelectMany(f => scanner.Scan(f.Key, f.Value)).Should().BeEmpty();
        serve.Output.Should().NotContain(azurite.ConnectionString).And.NotContain(AzuriteInstance.AccountKey);
    }
}

using DataFirst.Cli.Tests.Support;

namespace DataFirst.Cli.Tests;

public sealed class CliAppTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_ListsEveryVerbWithADescription()
    {
        var (code, output, _) = await Run("--help");

        code.Should().Be(0);
        foreach (var verb in CliApp.BuildRootCommand().Subcommands)
        {
            verb.Description.Should().NotBeNullOrWhiteSpace($"verb {verb.Name} needs a one-line description");
            output.Should().Contain(verb.Name);
        }

        output.Should().Contain("demo").And.Contain("run").And.Contain("serve");
    }

    [Fact]
    public async Task UnknownVerb_PrintsOneLineErrorNamingIt_AndExitsNonZero()
    {
        var (code, output, error) = await Run("frobnicate");

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("'frobnicate'");
        output.Should().BeEmpty();
    }

    [Fact]
    public async Task MissingRequiredOption_PrintsOneLineErrorNamingIt()
    {
        var (code, _, error) = await Run("run");

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--input");
    }

    [Fact]
    public async Task UnwritableDataFolder_PrintsOneLineErrorNamingTheOption()
    {
        using var temp = new TempFolder();
        var file = temp.Combine("not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        var (code, _, error) = await Run("demo", "--data", Path.Combine(file, "sub"));

        code.Should().NotBe(0);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--data").And.Contain("cannot write");
    }

    [Fact]
    public async Task MissingInputFile_PrintsOneLineErrorNamingTheFile()
    {
        using var temp = new TempFolder();

        var (code, _, error) = await Run("run", "--input", temp.Combine("nope.csv"), "--data", temp.Combine("data"));

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--input").And.Contain("nope.csv").And.Contain("does not exist");
    }

    [Fact]
    public async Task StorageNotAnswering_PrintsOneLineErrorNamingTheEndpoint_NotAStackTrace()
    {
        using var temp = new TempFolder();
        var extract = temp.Combine("prisons.csv");
        await File.WriteAllTextAsync(extract, "row_id\n1\n");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var storage = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

        var (code, _, error) = await Run("run", "--storage", storage, "--input", extract, "--share", "s");

        code.Should().Be(CliApp.ExitFailure);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain($"no response from http://127.0.0.1:{port}").And.NotContain("AccountKey").And.NotContain("   at ");
    }

    [Theory]
    [InlineData("run")]
    [InlineData("serve")]
    public async Task ParallelActivitiesBelowOne_PrintsOneLineErrorNamingTheOption(string verb)
    {
        using var temp = new TempFolder();
        var extract = temp.Combine("prisons.csv");
        await File.WriteAllTextAsync(extract, "row_id\n1\n");
        string[] args = verb == "run"
            ? ["run", "--input", extract, "--data", temp.Combine("data"), "--parallel-activities", "0"]
            : ["serve", "--data", temp.Combine("data"), "--parallel-activities", "0"];

        var (code, _, error) = await Run(args);

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--parallel-activities").And.Contain("1 or more");
    }

    [Fact]
    public void EnsureWritableDirectory_OnUnix_CreatesTheFolderAndItsParentsForTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the folder inherits its parent's ACL there
        }

        using var temp = new TempFolder();
        var data = temp.Combine("new", "data");

        CliPaths.EnsureWritableDirectory(data, "--data");

        File.GetUnixFileMode(data).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.GetUnixFileMode(temp.Combine("new")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

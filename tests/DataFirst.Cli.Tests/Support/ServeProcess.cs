using System.Net.Http.Json;
using System.Text.Json;

namespace DataFirst.Cli.Tests.Support;

/// <summary>`datafirst serve` as a real process on a free loopback port, with an HTTP client for it.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly CliProcess _process;

    private ServeProcess(CliProcess process, Uri baseAddress)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    public string Output => _process.StandardOutput + _process.StandardError;

    public static async Task<ServeProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var port = TestKeys.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var process = CliProcess.Start(workingDirectory, environment, ["serve", "--urls", url, "--poll-seconds", "0.2", .. extraArgs]);
        var serve = new ServeProcess(process, new Uri(url));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!process.StandardOutput.Contains("serve: listening", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                serve.Dispose();
                throw new TimeoutException($"serve did not start: {serve.Output}");
            }

            await Task.Delay(50);
        }

        return serve;
    }

    /// <summary>Polls GET /api/runs/{id} until the run has finished; returns its status body.</summary>
    public async Task<JsonElement> WaitForRunAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var response = await Http.GetAsync($"/api/runs/{Uri.EscapeDataString(id)}");
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated")
                {
                    return body;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {id} did not finish in {timeout}; serve output:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls GET /api/runs until a run appears, and returns the ids seen.</summary>
    public async Task<IReadOnlyList<string>> WaitForRunsAsync(int atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var runs = await Http.GetFromJsonAsync<JsonElement>("/api/runs");
            var ids = runs.EnumerateArray().Select(r => r.GetProperty("instanceId").GetString()!).ToList();
            if (ids.Count >= atLeast)
            {
                return ids;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {atLeast} run(s), saw {ids.Count}; serve output:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
    }
}

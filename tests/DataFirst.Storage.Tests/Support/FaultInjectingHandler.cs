using System.Collections.Concurrent;
using System.Net;

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// An HTTP handler in front of the real one (to Azurite) that can answer a request itself with an
/// error status, or hang until the pipeline's network timeout cancels it. Records every attempt.
/// </summary>
public sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<(string Method, string PathAndQuery, int? InjectedStatus)> _attempts = new();

    /// <summary>Decides per attempt: return a status to inject, <see cref="Hang"/> to hang, or null to pass through.</summary>
    public Func<HttpRequestMessage, int?>? Fault { get; set; }

    public const int Hang = -1;

    public IReadOnlyList<(string Method, string PathAndQuery, int? InjectedStatus)> Attempts => _attempts.ToList();

    public int CountAttempts(Func<string, string, bool> match) => _attempts.Count(a => match(a.Method, a.PathAndQuery));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var decision = Fault?.Invoke(request);
        _attempts.Enqueue((request.Method.Method, request.RequestUri!.PathAndQuery, decision));
        if (decision == Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (decision is { } status)
        {
            // Drain the request body like a server would.
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = request, Content = new ByteArrayContent([]) };
            response.Headers.Add("x-ms-error-code", status switch
            {
                409 => "BlobAlreadyExists",
                412 => "ConditionNotMet",
                500 => "InternalError",
                503 => "ServerBusy",
                _ => "InjectedFault",
            });
            return response;
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Counts calls per key in a thread-safe way (for "fail the first N attempts" rules).</summary>
public sealed class AttemptCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public int Next(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
}

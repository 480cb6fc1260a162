using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// Entry point of this test assembly when run as a child process (<c>dotnet exec</c>) by the
/// cross-process tests; the test runner never calls it. Each child waits for a "go" file so that
/// all children race at the same moment.
/// </summary>
public static class ChildProcessProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync("usage: <command> <go-file> ...");
            return 2;
        }

        await WaitForGoAsync(args[1]);
        switch (args[0])
        {
            case "blob-create-only":
            {
                // args: go-file root container name writer-id
                var store = new FileSystemBlobStore(args[2]);
                try
                {
                    await store.UploadBytesAsync(args[3], args[4], System.Text.Encoding.UTF8.GetBytes(args[5]), new BlobUploadOptions { IfNotExists = true });
                    Console.WriteLine("WON");
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
                {
                    Console.WriteLine("CONFLICT");
                }

                return 0;
            }

            case "table-increment":
            {
                // args: go-file database table times
                using var store = new SqliteTableStore(args[2]);
                var times = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
                var retries = 0;
                for (var i = 0; i < times; i++)
                {
                    while (true)
                    {
                        var current = await store.GetAsync(args[3], "counter", "c") ?? throw new InvalidOperationException("counter missing");
                        var next = current with { Properties = new Dictionary<string, object?> { ["Value"] = current.GetInt64("Value")!.Value + 1 } };
                        try
                        {
                            await store.UpdateAsync(args[3], next, current.ETag!);
                            break;
                        }
                        catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
                        {
                            retries++;
                        }
                    }
                }

                Console.WriteLine($"DONE {retries}");
                return 0;
            }

            case "blob-upload-hang":
            {
                // args: go-file root container name. Writes 1 MiB of the blob, says WRITING, then waits to be killed.
                var store = new FileSystemBlobStore(args[2]);
                await store.UploadAsync(args[3], args[4], new EndlessUpload());
                return 1;
            }

            default:
                await Console.Error.WriteLineAsync($"unknown command '{args[0]}'");
                return 2;
        }
    }

    /// <summary>1 MiB of content, then a read that never returns.</summary>
    private sealed class EndlessUpload : MemoryStream
    {
        private const int Size = 1 << 20;
        private long _given;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_given >= Size)
            {
                Console.WriteLine("WRITING");
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var n = (int)Math.Min(buffer.Length, Size - _given);
            buffer.Span[..n].Fill((byte)'x');
            _given += n;
            return n;
        }
    }

    private static async Task WaitForGoAsync(string goFile)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(goFile))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The go file never appeared.");
            }

            await Task.Delay(5);
        }
    }
}

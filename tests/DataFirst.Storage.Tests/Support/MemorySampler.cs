using System.Diagnostics;

namespace DataFirst.Storage.Tests.Support;

/// <summary>
/// Samples the managed heap size (and the process working set, for the report) every few
/// milliseconds from a background thread and keeps the peak above the baseline taken at start.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _peakManaged;
    private long _peakWorkingSet;

    public MemorySampler()
    {
        BaselineManaged = GC.GetTotalMemory(forceFullCollection: true);
        using (var process = Process.GetCurrentProcess())
        {
            BaselineWorkingSet = process.WorkingSet64;
        }

        _peakManaged = BaselineManaged;
        _peakWorkingSet = BaselineWorkingSet;
        _thread = new Thread(Run) { IsBackground = true, Name = "memory-sampler" };
        _thread.Start();
    }

    public long BaselineManaged { get; }

    public long BaselineWorkingSet { get; }

    public long PeakManagedAboveBaseline => Math.Max(0, Interlocked.Read(ref _peakManaged) - BaselineManaged);

    public long PeakWorkingSetAboveBaseline => Math.Max(0, Interlocked.Read(ref _peakWorkingSet) - BaselineWorkingSet);

    public void Sample()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        if (managed > Interlocked.Read(ref _peakManaged))
        {
            Interlocked.Exchange(ref _peakManaged, managed);
        }

        using var process = Process.GetCurrentProcess();
        var ws = process.WorkingSet64;
        if (ws > Interlocked.Read(ref _peakWorkingSet))
        {
            Interlocked.Exchange(ref _peakWorkingSet, ws);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            Sample();
            _stop.Token.WaitHandle.WaitOne(10);
        }
    }
}

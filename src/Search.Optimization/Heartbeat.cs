namespace Search.Optimization;

/// <summary>
/// Beats on a timer while a worker holds a trial or a study task. A beat that reports the lease
/// lost (another worker took over) stops the beating and cancels <see cref="LostToken"/>; a beat
/// that throws (database briefly unreachable) is retried at the next tick, because the lease is
/// only lost once the grace period passes without a beat. A timer rather than a loop task: it
/// costs no thread until a beat is due, so starting and stopping one per trial is free even when
/// every pool thread is busy running objectives.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    private readonly Func<bool> _beat;
    private readonly CancellationTokenSource _lost = new();
    private readonly Timer _timer;
    private int _busy;
    private volatile bool _stopped;

    private Heartbeat(TimeSpan interval, Func<bool> beat)
    {
        _beat = beat;
        _timer = new Timer(_ => Tick(), null, interval, interval);
    }

    public static Heartbeat Start(TimeSpan interval, Func<bool> beat) => new(interval, beat);

    /// <summary>Cancelled when a beat found that another worker holds the lease now.</summary>
    public CancellationToken LostToken => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    private void Tick()
    {
        // A beat still in flight (slow database) makes the next tick skip rather than pile up threads.
        if (_stopped || IsLost || Interlocked.Exchange(ref _busy, 1) == 1) return;
        try
        {
            if (!_stopped && !_beat()) _lost.Cancel();
        }
        catch (Exception)
        {
            // Transient: the next tick tries again; only silence past the grace loses the lease.
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Stops beating and waits for a beat in flight, so no beat lands after the holder's final write.</summary>
    public void Dispose()
    {
        _stopped = true;
        using (var idle = new ManualResetEvent(false))
            if (_timer.Dispose(idle)) idle.WaitOne();
        _lost.Dispose();
    }
}

using System.Diagnostics;

namespace Search.Training;

/// <summary>
/// An exclusive lock between processes (and threads) on a lock file: held while the file is open with
/// <see cref="FileShare.None"/>, which .NET on Linux takes as an advisory <c>flock(LOCK_EX)</c>. The
/// kernel drops it when the holder closes the file or dies (kill -9 included), so a crashed builder
/// never leaves the others waiting. The lock file itself stays (empty): deleting it while another
/// process waits on it would let two processes hold "the" lock on two different files.
/// </summary>
public sealed class BuildLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(60);

    private readonly FileStream file;

    private BuildLock(FileStream file) => this.file = file;

    /// <summary>
    /// Waits until this process holds <paramref name="path"/>'s lock. <paramref name="waiting"/> is told
    /// once when another holder makes us wait, then once a minute.
    /// </summary>
    public static BuildLock Acquire(string path, Action<string>? waiting = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return new BuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                if (clock.Elapsed >= nextReport)
                {
                    waiting?.Invoke($"waiting for another process that is building it ({clock.Elapsed.TotalSeconds:F0} s; lock {path})");
                    nextReport = clock.Elapsed + ReportEvery;
                }
                Thread.Sleep(Poll);
            }
        }
    }

    /// <summary>
    /// The sharing violation .NET raises when the flock is held, not a real I/O failure (which must not be
    /// waited on forever): on Linux an IOException carrying errno EWOULDBLOCK (11), on Windows ERROR_SHARING_VIOLATION.
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is EWouldBlock or SharingViolation;

    private const int EWouldBlock = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    public void Dispose() => file.Dispose();
}

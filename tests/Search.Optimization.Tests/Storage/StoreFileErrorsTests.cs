using Search.Optimization.Storage;

namespace Search.Optimization.Tests.Storage;

/// <summary>
/// How a store tells a full disk from damage (the real ENOSPC path, on a tiny tmpfs, is
/// Search.Tests' FullDiskStoreTests; it needs root and is skipped elsewhere).
/// </summary>
public sealed class StoreFileErrorsTests
{
    private static IOException OutOfSpace() => OperatingSystem.IsWindows()
        ? new IOException("There is not enough space on the disk.", unchecked((int)0x80070070))
        : new IOException("No space left on device : '/data/study-log.db'", 28);

    [Fact]
    public void An_out_of_space_write_is_a_full_disk_also_inside_another_exception()
    {
        Assert.True(StoreFileErrors.IsDiskFull(OutOfSpace()));
        Assert.True(StoreFileErrors.IsDiskFull(new InvalidOperationException("write failed", OutOfSpace())));
    }

    [Fact]
    public void Other_IO_errors_are_not_a_full_disk()
    {
        Assert.False(StoreFileErrors.IsDiskFull(new IOException("page type must be collection page")));
        Assert.False(StoreFileErrors.IsDiskFull(new IOException("File too large", 27))); // EFBIG on Linux
        Assert.False(StoreFileErrors.IsDiskFull(new InvalidCastException("not a number")));
    }

    [Fact]
    public void The_message_names_the_file_and_says_the_disk_is_full()
    {
        var e = StoreFileErrors.DiskFull("/data/study.db", new InvalidOperationException("outer", OutOfSpace()));
        Assert.StartsWith("cannot write study store '/data/study.db': the disk is full (", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Search.Model;

/// <summary>
/// Moves a CPU tensor's bytes out of the process's anonymous memory: they are written to an unlinked
/// temporary file and mapped back (MAP_PRIVATE, like memory-mapped weights), so the kernel can drop
/// and re-read the pages under pressure instead of the tensor pinning RAM. For data that is built once
/// and then only read (a trial's least-squares refits). The file is deleted as soon as it is mapped;
/// the mapping lives as long as the returned tensor (a process killed in between leaves one
/// <c>prunesearch-PID-*.tensor</c> in the temp folder). With a tmpfs temp folder the pages are shared
/// memory rather than anonymous, but still not pinned by the process. Tensors on other devices come back unchanged.
/// </summary>
public static class FileBackedTensor
{
    /// <summary>A read-mostly copy of <paramref name="t"/> backed by a temporary file; the caller disposes both.</summary>
    public static Tensor From(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || t.numel() == 0) return t.alias();
        var path = Path.Combine(Path.GetTempPath(), $"prunesearch-{Environment.ProcessId}-{Guid.NewGuid():N}.tensor");
        try
        {
            using (var contiguous = t.contiguous())
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                file.Write(contiguous.bytes);
            using var flat = from_file(path, shared: false, size: t.numel(), dtype: t.dtype);
            return flat.view(t.shape);
        }
        catch (IOException)
        {
            return t.contiguous().clone(); // no room for the file: keep it in memory
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { }
        }
    }
}

using System.Runtime.InteropServices;

namespace Search.Model.Runtime;

/// <summary>
/// Returns freed native heap pages to the OS. libtorch's CPU tensors come from glibc malloc, whose
/// per-thread arenas keep freed blocks mapped: after a trial has dropped every tensor it made, the
/// process RSS still carries its peak until malloc_trim hands the free pages back. Calling it
/// between trials keeps RSS at what is live (a long search stays flat), at a cost of milliseconds.
/// </summary>
public static partial class NativeMemory
{
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* not glibc: nothing to trim */ }
    }
}

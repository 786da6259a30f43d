using System.Diagnostics;

namespace Search.Tests.Cli;

/// <summary>
/// A tiny tmpfs, for a cache disk that is really full (ENOSPC), not just blocked. Mounting needs
/// root with CAP_SYS_ADMIN: where that is missing the test using it is skipped with the reason,
/// and the blocked-folder variant still runs everywhere.
/// </summary>
internal static class Tmpfs
{
    public static readonly bool CanMount = Probe();

    public static void Mount(string at, int sizeKb)
    {
        Directory.CreateDirectory(at);
        var (exit, err) = Exec("mount", "-t", "tmpfs", "-o", $"size={sizeKb}k", "tmpfs", at);
        if (exit != 0) throw new InvalidOperationException($"mount tmpfs at {at} failed: {err}");
    }

    /// <summary>Writes <paramref name="path"/> until the file system is full.</summary>
    public static void Fill(string path)
    {
        var chunk = new byte[16 << 10];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) file.Write(chunk);
        }
        catch (IOException)
        {
            // ENOSPC: full, as intended
        }
    }

    /// <summary>Unmounts every tmpfs this test mounted under <paramref name="root"/> (before the folder is deleted).</summary>
    public static void UnmountUnder(string root)
    {
        if (!File.Exists("/proc/mounts")) return;
        foreach (var line in File.ReadAllLines("/proc/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "tmpfs" && fields[1].StartsWith(root + "/", StringComparison.Ordinal))
                Exec("umount", "-l", fields[1]); // lazy: a handle a failed test left open must not keep the mount (and its folder) alive
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        string at = Directory.CreateTempSubdirectory("prunesearch-tmpfs-probe-").FullName;
        try
        {
            if (Exec("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", at).Exit != 0) return false;
            Exec("umount", at);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no mount binary
        }
        finally
        {
            Directory.Delete(at);
        }
    }

    private static (int Exit, string Err) Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Trim());
    }
}

/// <summary>A fact that needs a mountable tmpfs; skipped with the reason where mounting is not allowed.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!Tmpfs.CanMount) Skip = "SKIPPED: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the blocked-folder variant covers the same path";
    }
}

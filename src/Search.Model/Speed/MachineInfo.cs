using System.Globalization;
using System.Runtime.InteropServices;

namespace Search.Model.Speed;

/// <summary>Where a speed figure was measured: absolute speeds do not carry across CPUs (docs/toolchain.md 13).</summary>
/// <param name="CpuModel">"model name" of /proc/cpuinfo (or the architecture where that file is absent).</param>
/// <param name="CpuFlags">The SIMD extensions that decide kernel choice (avx2, avx512f, avx512_bf16, …).</param>
public sealed record MachineInfo(string CpuModel, int LogicalCores, string CpuFlags, string Os)
{
    public static MachineInfo Current()
    {
        string model = RuntimeInformation.ProcessArchitecture.ToString(), flags = "";
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            foreach (var line in File.ReadLines(cpuinfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && model == RuntimeInformation.ProcessArchitecture.ToString())
                    model = line[(line.IndexOf(':') + 1)..].Trim();
                if (line.StartsWith("flags", StringComparison.Ordinal) && flags.Length == 0)
                    flags = string.Join(' ', line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Where(f => f is "avx" or "avx2" or "fma" or "f16c" or "avx512f" or "avx512_bf16" or "avx512_fp16" or "avx512_vnni" or "amx_tile"));
            }
        }
        return new MachineInfo(model, Environment.ProcessorCount, flags, RuntimeInformation.OSDescription);
    }

    /// <summary>1-minute load average (/proc/loadavg), NaN where unknown: other processes share these cores.</summary>
    public static double LoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path)) return double.NaN;
        var first = File.ReadAllText(path).Split(' ')[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
    }
}

using System.Runtime.InteropServices;
using TorchSharp;

namespace Search.Model.Runtime;

/// <summary>
/// Process-wide libtorch setup. Call <see cref="Initialize"/> before the first tensor is made:
/// OpenMP reads OMP_WAIT_POLICY when libtorch loads, and a managed
/// Environment.SetEnvironmentVariable does not reach the native environment (docs/toolchain.md 3).
/// </summary>
public static partial class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool initialized;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNativeEnv(string name, string value, int overwrite);

    /// <summary>Sets the native environment and the thread count once per process.</summary>
    public static void Initialize(int? threads = null)
    {
        lock (Gate)
        {
            if (!initialized)
            {
                // Passive waiting: with another busy process, spinning OpenMP threads ran up to 8x slower.
                if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
                    SetNativeEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
                initialized = true;
            }
            if (threads is > 0) torch.set_num_threads(threads.Value);
        }
    }

    /// <summary>Resolves a device name; "cuda" without a CUDA build or GPU is a clear error.</summary>
    public static torch.Device ResolveDevice(string name)
    {
        Initialize();
        switch (name.ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new UserInputException(
                        "--device cuda: CUDA is not available (this build uses the CPU libtorch; " +
                        "rebuild with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)");
                return torch.CUDA;
            default:
                throw new UserInputException($"--device: unknown device '{name}' (expected cpu or cuda)");
        }
    }
}

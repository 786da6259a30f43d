using LLama.Native;

namespace Search.Runtime.LlamaCpp;

/// <summary>
/// Process-wide setup of llama.cpp's CPU library from LLamaSharp.Backend.Cpu: the package ships
/// noavx/avx/avx2/avx512 builds for linux-x64 and LLamaSharp picks the best one this CPU runs. They
/// need glibc ≥ 2.34 and GLIBCXX ≥ 3.4.29 (Debian 12 has 2.36 / 3.4.30: no patch needed, unlike
/// TorchSharp). Nothing is downloaded at run time. llama.cpp's own log goes to
/// <see cref="Log"/>, errors only, so a test run stays readable.
/// </summary>
public static class LlamaCppRuntime
{
    private static readonly Lock Gate = new();
    private static bool configured;
    private static readonly List<string> Errors = [];

    /// <summary>llama.cpp's error lines so far (e.g. why a GGUF failed to load).</summary>
    public static IReadOnlyList<string> Log
    {
        get { lock (Gate) return Errors.ToList(); }
    }

    /// <summary>Configures logging once; must run before the first model is loaded.</summary>
    public static void EnsureConfigured()
    {
        lock (Gate)
        {
            if (configured) return;
            // A llama.cpp build of the user's own (or, in tests, a path that does not load) instead of the package's.
            if (Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } library)
                NativeLibraryConfig.All.WithLibrary(library, null);
            NativeLibraryConfig.All.WithLogCallback((level, message) =>
            {
                if (level == LLamaLogLevel.Error)
                    lock (Gate) Errors.Add(message.TrimEnd());
            });
            configured = true;
        }
    }

    /// <summary>Environment variable naming a libllama.so to load instead of LLamaSharp.Backend.Cpu's.</summary>
    public const string LibraryVariable = "PRUNESEARCH_LLAMA_CPP_LIBRARY";

    /// <summary>
    /// Null when llama.cpp's native library loads in this process, else why not (one line): callers
    /// that only verify or time with llama.cpp go on without it and say so.
    /// </summary>
    public static string? Unavailable()
    {
        try
        {
            EnsureConfigured();
            NativeApi.llama_max_devices();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException
                                      or BadImageFormatException or LLama.Exceptions.RuntimeError or InvalidOperationException)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            // LLamaSharp's message is a numbered list of possible causes: its first sentence is the fact.
            string m = inner.Message.ReplaceLineEndings(" ").Trim();
            int cut = m.IndexOfAny(['.', ':']);
            m = cut > 0 ? m[..cut] : m.Length > 0 ? m : inner.GetType().Name;
            return Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } library ? $"{m}; {LibraryVariable}={library}" : m;
        }
    }

    /// <summary>Configures logging and loads the native library (LLamaSharp's P/Invokes outside NativeApi need it loaded first).</summary>
    internal static void EnsureLoaded()
    {
        EnsureConfigured();
        NativeApi.llama_max_devices();
    }

    /// <summary>The llama.cpp error lines logged since <paramref name="since"/> errors, joined for a message.</summary>
    internal static string ErrorsSince(int since)
    {
        lock (Gate) return string.Join(" | ", Errors.Skip(since));
    }

    internal static int ErrorCount
    {
        get { lock (Gate) return Errors.Count; }
    }
}

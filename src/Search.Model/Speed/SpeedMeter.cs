using Search.Model.Export;

namespace Search.Model.Speed;

/// <summary>Opens a GGUF file in a second runtime for timing (llama.cpp; injected so this library carries no native llama.cpp).</summary>
/// <param name="capacity">Prompt plus new tokens: the context to allocate.</param>
public delegate IDecodeRunner GgufRunnerFactory(string ggufPath, int capacity, int threads);

/// <summary>
/// Writes <paramref name="model"/> as the GGUF llama.cpp is timed on (f32 unless the caller asks for
/// f16 or a quantization, which llama.cpp's quantizer makes) and returns the file's size on disk.
/// </summary>
public delegate long GgufModelWriter(Transformer model, string tokenizerDir, string path);

/// <summary>A model's speed and the reference model's, measured interleaved in one call, per runtime.</summary>
/// <param name="LlamaCpp">Null when llama.cpp was not asked for.</param>
public sealed record SpeedComparison(SpeedMeasurement TorchSharp, SpeedMeasurement TorchSharpReference,
    SpeedMeasurement? LlamaCpp, SpeedMeasurement? LlamaCppReference);

/// <summary>
/// Measures models against one reference model (the dense one) under one protocol: for every
/// call, the reference and the model run interleaved (<see cref="SpeedBenchmark.Measure"/>: run i
/// of each before run i+1 of any), in TorchSharp and, with a <see cref="GgufRunnerFactory"/>, in
/// llama.cpp through temporary GGUFs (f32, or what <see cref="GgufModelWriter"/> writes: f16 or a
/// quantization, the same for both models) — so a load swing from other processes hits both alike
/// and their ratio (the speedup) is fair. The reference's GGUF is written once, on first use.
/// </summary>
public sealed class SpeedMeter : IDisposable
{
    private readonly Transformer reference;
    private readonly string referenceName;
    private readonly string tokenizerDir;
    private readonly GgufRunnerFactory? llamaCpp;
    private readonly GgufModelWriter writeGguf;
    private readonly string workDir;
    private string? referenceGguf;
    private long referenceBytes;
    private int written;

    public SpeedProtocol Protocol { get; }

    /// <param name="tokenizerDir">Folder with tokenizer.model (only read when <paramref name="llamaCpp"/> is given).</param>
    /// <param name="ggufWriter">How both models' GGUFs are written (default: f32).</param>
    public SpeedMeter(Transformer reference, string referenceName, string tokenizerDir, SpeedProtocol protocol, GgufRunnerFactory? llamaCpp,
        GgufModelWriter? ggufWriter = null)
    {
        protocol.Validate();
        this.reference = reference;
        this.referenceName = referenceName;
        this.tokenizerDir = tokenizerDir;
        this.llamaCpp = llamaCpp;
        writeGguf = ggufWriter ?? WriteF32;
        Protocol = protocol;
        workDir = Directory.CreateTempSubdirectory("prunesearch-speed-").FullName;
    }

    public bool MeasuresLlamaCpp => llamaCpp is not null;

    /// <summary><paramref name="model"/> and the reference, interleaved, in each runtime.</summary>
    public SpeedComparison Compare(Transformer model, string modelName)
    {
        int capacity = Protocol.PromptTokens + Protocol.NewTokens;
        SpeedMeasurement[] torch;
        using (var a = new TorchDecodeRunner(model, capacity, Protocol.Threads))
        using (var b = new TorchDecodeRunner(reference, capacity, Protocol.Threads))
        {
            var both = SpeedBenchmark.Measure([a, b], modelName, model.Config.VocabSize, Protocol);
            torch = [both[0], both[1] with { Model = referenceName }];
        }
        if (llamaCpp is null) return new SpeedComparison(torch[0], torch[1], null, null);
        string gguf = Path.Combine(workDir, $"model-{written++}.gguf");
        try
        {
            long bytes = writeGguf(model, tokenizerDir, gguf);
            using var a = llamaCpp(gguf, capacity, Protocol.Threads);
            using var b = llamaCpp(ReferenceGguf(), capacity, Protocol.Threads);
            var both = SpeedBenchmark.Measure([a, b], modelName, model.Config.VocabSize, Protocol);
            return new SpeedComparison(torch[0], torch[1], both[0] with { FileBytes = bytes },
                both[1] with { Model = referenceName, FileBytes = referenceBytes });
        }
        finally
        {
            File.Delete(gguf);
        }
    }

    /// <summary>The reference alone (no comparison), in each runtime.</summary>
    public (SpeedMeasurement TorchSharp, SpeedMeasurement? LlamaCpp) MeasureReference()
    {
        int capacity = Protocol.PromptTokens + Protocol.NewTokens;
        SpeedMeasurement torch;
        using (var r = new TorchDecodeRunner(reference, capacity, Protocol.Threads))
            torch = SpeedBenchmark.Measure([r], referenceName, reference.Config.VocabSize, Protocol)[0];
        if (llamaCpp is null) return (torch, null);
        using var l = llamaCpp(ReferenceGguf(), capacity, Protocol.Threads);
        return (torch, SpeedBenchmark.Measure([l], referenceName, reference.Config.VocabSize, Protocol)[0] with { FileBytes = referenceBytes });
    }

    private string ReferenceGguf()
    {
        if (referenceGguf is null)
        {
            string path = Path.Combine(workDir, "reference.gguf");
            referenceBytes = writeGguf(reference, tokenizerDir, path);
            referenceGguf = path;
        }
        return referenceGguf;
    }

    private static long WriteF32(Transformer model, string tokenizerDir, string path)
    {
        GgufWriter.Write(model, tokenizerDir, path, GgufFileType.F32);
        return new FileInfo(path).Length;
    }

    public void Dispose()
    {
        try { Directory.Delete(workDir, recursive: true); }
        catch (IOException) { }
    }
}

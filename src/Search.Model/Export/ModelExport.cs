namespace Search.Model.Export;

/// <summary>What an export wrote: the format and the file or folder a runtime opens.</summary>
public sealed record ExportedModel(ExportFormat Format, string Path, string? Architecture);

/// <summary>
/// One call per target format for a model had layer by layer (a dense <see cref="Transformer"/> or
/// a pruned model built from it). The compact HF folder is written layer by layer; the other
/// writers need the whole model, so it is materialized once (<see cref="Materialized"/>: the
/// pruned layers in memory, embeddings shared with the dense model). Refusals are the writers'
/// one-line <see cref="UserInputException"/>s.
/// </summary>
public static class ModelExport
{
    /// <summary>File name of a GGUF written into a folder (when <c>--out</c> does not end in .gguf).</summary>
    public static string GgufFileName(GgufFileType type) => GgufFileName(ExportFormats.Name(type));

    /// <summary>The GGUF file for <paramref name="outPath"/>: the path itself when it ends in .gguf, else a file in that folder.</summary>
    public static string GgufPath(string outPath, GgufFileType type) => GgufPath(outPath, ExportFormats.Name(type));

    /// <summary>The quantized GGUF file for <paramref name="outPath"/> (model-q4_k_m.gguf in a folder).</summary>
    public static string GgufPath(string outPath, GgufQuantization quantization) => GgufPath(outPath, quantization.Name);

    private static string GgufFileName(string weights) => $"model-{weights}.gguf";

    private static string GgufPath(string outPath, string weights) =>
        outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? outPath : System.IO.Path.Combine(outPath, GgufFileName(weights));

    /// <param name="tokenizerDir">Folder whose tokenizer files are copied (GGUF: whose tokenizer.model is embedded).</param>
    /// <param name="outPath">A folder; for GGUF a .gguf file or a folder to put model-f32.gguf / model-f16.gguf in.</param>
    public static ExportedModel Write(IDecoderLayers model, string tokenizerDir, string outPath, ExportFormat format,
        GgufFileType ggufType = GgufFileType.F32, DeciLmOptions? deciLm = null)
    {
        if (format == ExportFormat.Hf)
        {
            Checkpoints.Checkpoint.Save(model, outPath, tokenizerDir);
            return new ExportedModel(format, outPath, null);
        }
        using var whole = Materialized.Of(model);
        switch (format)
        {
            case ExportFormat.Gguf:
                string file = GgufPath(outPath, ggufType);
                if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file)) is { } parent) Directory.CreateDirectory(parent);
                GgufWriter.Write(whole, tokenizerDir, file, ggufType);
                return new ExportedModel(format, file, GgufWriter.ArchitectureFor(whole.Config));
            case ExportFormat.HfPadded:
                HfPaddedWriter.Write(whole, tokenizerDir, outPath);
                return new ExportedModel(format, outPath, null);
            default:
                DeciLmWriter.Write(whole, tokenizerDir, outPath, deciLm);
                return new ExportedModel(format, outPath, DeciLmWriter.Architecture);
        }
    }
}

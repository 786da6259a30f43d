namespace Search.Model.Export;

/// <summary>
/// Storage type of a GGUF export's weight matrices (llama.cpp's <c>general.file_type</c>: ALL_F32 = 0,
/// MOSTLY_F16 = 1). Norm weights and biases stay float32 in both, as llama.cpp's converter writes them.
/// </summary>
public enum GgufFileType
{
    F32 = 0,
    F16 = 1,
}

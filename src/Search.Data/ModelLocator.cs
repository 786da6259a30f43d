using Search.Model;
using Search.Model.Checkpoints;
using Search.Model.Tokenizers;
using static TorchSharp.torch;

namespace Search.Data;

/// <summary>A loaded dense model with its tokenizer and the identity of its files.</summary>
public sealed record LoadedModel(string Dir, Transformer Model, ITextTokenizer Tokenizer, string Hash) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Loads an HF model folder with its tokenizer. Names that stand for built models (<c>embedded</c>,
/// <c>zoo:NAME</c>) are resolved to folders first by <c>Search.Training.ModelSources</c>, which may train them.
/// </summary>
public static class ModelLocator
{
    /// <summary>The model in <paramref name="dir"/> (config.json + safetensors), its tokenizer and content hash.</summary>
    public static LoadedModel LoadFolder(string dir, ScalarType dtype, Device device, WeightResidency residency = WeightResidency.Mapped)
    {
        var transformer = Checkpoint.Load(dir, dtype, device, residency);
        try
        {
            var tokenizer = TokenizerLoader.Load(dir);
            if (tokenizer.VocabSize > transformer.Config.VocabSize)
                throw new UserInputException(
                    $"{dir}: tokenizer has {tokenizer.VocabSize} ids but the model's vocab_size is {transformer.Config.VocabSize}");
            return new LoadedModel(dir, transformer, tokenizer, Checkpoint.ContentHash(dir));
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }
}

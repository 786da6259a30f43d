using System.Security.Cryptography;

namespace Search.Model.Tokenizers;

/// <summary>Finds and loads a model folder's tokenizer: <c>tokenizer.json</c> when present, else <c>tokenizer.model</c>.</summary>
public static class TokenizerLoader
{
    public const string HfFileName = "tokenizer.json";
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>Any problem with the files is a <see cref="UserInputException"/> naming the file.</summary>
    public static ITextTokenizer Load(string modelDir)
    {
        string json = Path.Combine(modelDir, HfFileName);
        if (File.Exists(json))
        {
            return LoadHfJson(json);
        }

        string model = Path.Combine(modelDir, SentencePieceFileName);
        if (File.Exists(model))
        {
            return LoadSentencePiece(model);
        }

        throw new UserInputException($"no tokenizer in {modelDir}: expected {HfFileName} or {SentencePieceFileName}");
    }

    public static SentencePieceBpeTokenizer LoadSentencePiece(string path)
    {
        byte[] bytes = ReadFile(path);
        try
        {
            return new SentencePieceBpeTokenizer(SentencePieceModel.Parse(bytes), Fingerprint("spm-bpe", bytes));
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or OverflowException)
        {
            throw new UserInputException($"{path}: not a usable SentencePiece BPE model ({e.Message})", e);
        }
    }

    public static HfByteLevelBpeTokenizer LoadHfJson(string path)
    {
        byte[] bytes = ReadFile(path);

        // BOS/EOS may only be named in the sibling config files, as transformers saves them.
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try
        {
            string? tokenizerConfig = ReadOptional(Path.Combine(dir, "tokenizer_config.json"));
            string? config = ReadOptional(Path.Combine(dir, "config.json"));
            HfTokenizerDefinition definition = HfTokenizerJson.Parse(DecodeUtf8(bytes), tokenizerConfig, config);
            return new HfByteLevelBpeTokenizer(definition, Fingerprint("hf-bpe", bytes));
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or InvalidOperationException or IOException)
        {
            // The library's own validation (unknown merge pieces etc.) surfaces as ArgumentException.
            throw new UserInputException($"{path}: not a usable byte-level BPE tokenizer.json ({e.Message})", e);
        }
    }

    /// <summary>Kind + the first 16 hex chars of the file's sha256: changes whenever the ids could.</summary>
    public static string Fingerprint(string kind, byte[] fileBytes) =>
        $"{kind}:{Convert.ToHexStringLower(SHA256.HashData(fileBytes))[..16]}";

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: cannot read tokenizer file ({e.Message})", e);
        }
    }

    /// <summary>UTF-8 with an optional BOM: editors on Windows add one and JsonDocument rejects it.</summary>
    private static string DecodeUtf8(byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        return System.Text.Encoding.UTF8.GetString(span.StartsWith(System.Text.Encoding.UTF8.Preamble) ? span[3..] : span);
    }

    private static string? ReadOptional(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
}

using Search.Model.Tokenizers;

namespace Search.Model.Export;

/// <summary>
/// The <c>tokenizer.ggml.*</c> metadata llama.cpp's SentencePiece vocabulary (<c>tokenizer.ggml.model =
/// llama</c>) loads: pieces, scores and piece types (SentencePiece's type numbers are llama.cpp's token
/// types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), special ids and the
/// normalizer flags. A model whose vocab_size exceeds the piece count gets "[PAD{i}]" unused pieces,
/// as llama.cpp's converter pads them.
/// </summary>
internal static class GgufTokenizer
{
    public static void AddMetadata(GgufBuilder gguf, string tokenizerDir, int vocabSize)
    {
        string path = Path.Combine(tokenizerDir, TokenizerLoader.SentencePieceFileName);
        if (!File.Exists(path))
        {
            string reason = File.Exists(Path.Combine(tokenizerDir, TokenizerLoader.HfFileName))
                ? "it has only tokenizer.json, and GGUF export writes SentencePiece vocabularies only (no byte-level BPE yet)"
                : "it has no tokenizer.model";
            throw new UserInputException($"GGUF export needs a SentencePiece tokenizer.model in {tokenizerDir}: {reason}");
        }
        SentencePieceModel spm;
        try { spm = SentencePieceModel.Parse(File.ReadAllBytes(path)); }
        catch (FormatException e) { throw new UserInputException($"{path}: not a SentencePiece model ({e.Message})", e); }
        if (spm.Pieces.Count > vocabSize)
            throw new UserInputException($"{path}: {spm.Pieces.Count} pieces but the model's vocab_size is {vocabSize}");

        var tokens = spm.Pieces.ToList();
        var scores = spm.Scores.ToList();
        var types = spm.Types.Select(t => (int)t).ToList();
        for (int i = spm.Pieces.Count; i < vocabSize; i++)
        {
            tokens.Add($"[PAD{i}]");
            scores.Add(-1000f);
            types.Add((int)SentencePieceType.Unused);
        }
        gguf.Add("tokenizer.ggml.model", "llama");
        gguf.AddArray("tokenizer.ggml.tokens", tokens);
        gguf.AddArray("tokenizer.ggml.scores", scores);
        gguf.AddArray("tokenizer.ggml.token_type", types);
        if (spm.BosId >= 0) gguf.Add("tokenizer.ggml.bos_token_id", (uint)spm.BosId);
        if (spm.EosId >= 0) gguf.Add("tokenizer.ggml.eos_token_id", (uint)spm.EosId);
        if (spm.UnkId >= 0) gguf.Add("tokenizer.ggml.unknown_token_id", (uint)spm.UnkId);
        gguf.Add("tokenizer.ggml.add_bos_token", spm.BosId >= 0);
        gguf.Add("tokenizer.ggml.add_eos_token", false);
        gguf.Add("tokenizer.ggml.add_space_prefix", spm.AddDummyPrefix);
        gguf.Add("tokenizer.ggml.remove_extra_whitespaces", spm.RemoveExtraWhitespaces);
    }
}

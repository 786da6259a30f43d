using Search.Model;
using Search.Model.Tokenizers;

namespace Search.Data.Tasks;

/// <summary>
/// How a (context, continuation) pair becomes token ids, as lm-eval's causal-LM path does it
/// (lm_eval/api/model.py TemplateLM._encode_pair): trailing whitespace of the context moves to the
/// front of the continuation; context + continuation is encoded whole and the context encoded
/// alone; the continuation is the whole encoding after the context's length. With <c>bos</c> both
/// encodings start with BOS (lm-eval ≥ 0.4.9.2 uses the tokenizer's default, which for LLaMA
/// tokenizers adds BOS); <c>none</c> adds none (lm-eval 0.4.0–0.4.9: add_special_tokens=False for
/// causal models). An empty context is BOS alone (lm-eval's prefix token).
/// </summary>
public static class TaskEncoding
{
    public const string Bos = "bos";
    public const string None = "none";

    public static bool ParseBos(string value) => value.Trim().ToLowerInvariant() switch
    {
        Bos => true,
        None => false,
        _ => throw new UserInputException($"unknown value '{value}' (expected {Bos} or {None})"),
    };

    public static (int[] Context, int[] Continuation) EncodePair(ITextTokenizer tokenizer, string context, string continuation, bool bos)
    {
        if (context.Length == 0) return ([tokenizer.BosId], tokenizer.Encode(continuation));
        string trimmed = PythonText.RStrip(context);
        if (trimmed.Length < context.Length)
        {
            continuation = context[trimmed.Length..] + continuation;
            context = trimmed;
        }
        var whole = Encode(tokenizer, context + continuation, bos);
        var ctx = Encode(tokenizer, context, bos);
        return (ctx, whole.Length > ctx.Length ? whole[ctx.Length..] : []);
    }

    private static int[] Encode(ITextTokenizer tokenizer, string text, bool bos)
    {
        var ids = tokenizer.Encode(text);
        return bos ? [tokenizer.BosId, .. ids] : ids;
    }
}

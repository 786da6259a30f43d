using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>
/// Hardware-friendly MLP widths: every layer keeps a multiple of N channels (or none, when the plan
/// removed the block). Why: llama.cpp quantizes a weight row by row in blocks (k-quants: 256 values,
/// q4_0/q8_0: 32), so a <c>ffn_down</c> whose input width — the layer's channel count — is no multiple
/// of the block falls back to a bigger type (docs/methods.md §3); GPU tensor cores want multiples of
/// 8/64/128 likewise. Attention is already coarse (whole KV groups or query heads). N = 1 changes
/// nothing: every caller skips the rounding and the budget repair moves single channels as before.
/// </summary>
public static class WidthRounding
{
    /// <summary>One line naming the layer when a layer's MLP is narrower than <paramref name="multiple"/> (it could keep no multiple).</summary>
    public static void EnsureFits(ModelConfig config, int multiple, string flag = "--width-multiple")
    {
        if (multiple < 1) throw new UserInputException($"{flag} must be at least 1, got {multiple}");
        for (int l = 0; l < config.NumLayers; l++)
        {
            int width = config.Layers[l].IntermediateSize;
            if (width > 0 && width < multiple)
                throw new UserInputException($"{flag} {multiple} exceeds layer {l}'s MLP width {width}: no multiple of {multiple} channels fits");
        }
    }

    /// <summary>
    /// Rounds each MLP block's kept count to the nearest multiple of <paramref name="multiple"/> (halves
    /// round up), at least one multiple and at most the largest multiple of the block's width; a block
    /// that keeps nothing stays removed. Channels come and go by score: the lowest-scoring kept ones
    /// leave, the highest-scoring removed ones return (ties to the lower index), so the kept set stays
    /// the layer's best channels.
    /// </summary>
    internal static void Round(IReadOnlyList<UnitBlock> mlp, int multiple)
    {
        if (multiple == 1) return;
        foreach (var block in mlp)
        {
            int kept = block.Kept.Count(k => k);
            if (kept == 0) continue;
            int most = block.Count / multiple * multiple;
            if (most == 0)
                throw new UserInputException($"width multiple {multiple} exceeds layer {block.Layer}'s MLP width {block.Count}");
            int target = Math.Clamp((kept + multiple / 2) / multiple * multiple, multiple, most);
            var ascending = block.AscendingByScore();
            // Too many: drop the lowest-scoring kept channels; too few: restore the highest-scoring removed ones.
            var drop = ascending.Where(i => block.Kept[i]).Take(Math.Max(0, kept - target)).ToList();
            var restore = Enumerable.Reverse(ascending).Where(i => !block.Kept[i]).Take(Math.Max(0, target - kept)).ToList();
            foreach (int i in drop) block.Kept[i] = false;
            foreach (int i in restore) block.Kept[i] = true;
        }
    }
}

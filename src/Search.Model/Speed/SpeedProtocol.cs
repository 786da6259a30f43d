namespace Search.Model.Speed;

/// <summary>
/// How speed is measured: batch 1, a prompt of <paramref name="PromptTokens"/> ids (fixed,
/// pseudo-random from <paramref name="Seed"/>, so no tokenizer is involved), then
/// <paramref name="NewTokens"/> greedy decode steps; <paramref name="Warmup"/> untimed runs, then
/// <paramref name="Repeats"/> timed ones whose median is reported.
/// </summary>
public sealed record SpeedProtocol(int PromptTokens = 128, int NewTokens = 64, int Warmup = 1, int Repeats = 5, int Threads = 2, int Seed = 0)
{
    /// <summary>The prompt: ids uniform in [3, vocab) (past unk/bos/eos), the same for every runtime.</summary>
    public long[] PromptIds(int vocabSize)
    {
        var rng = new Random(Seed);
        return Enumerable.Range(0, PromptTokens).Select(_ => (long)rng.Next(Math.Min(3, vocabSize - 1), vocabSize)).ToArray();
    }

    public void Validate()
    {
        if (PromptTokens < 1 || NewTokens < 1 || Warmup < 0 || Repeats < 1 || Threads < 1)
            throw new UserInputException(
                $"speed protocol needs prompt ≥ 1, new tokens ≥ 1, warm-up ≥ 0, repeats ≥ 1, threads ≥ 1 (got {PromptTokens}, {NewTokens}, {Warmup}, {Repeats}, {Threads})");
    }
}

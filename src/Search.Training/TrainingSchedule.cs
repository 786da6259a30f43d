namespace Search.Training;

/// <summary>
/// How a model is optimized: AdamW (β 0.9/0.95, as llama2.c and LLaMA) on batches of
/// <see cref="BatchSize"/> × <see cref="SeqLen"/> tokens for <see cref="Steps"/> steps, the learning
/// rate warming up linearly to <see cref="PeakLearningRate"/> and then decaying on a cosine to
/// <see cref="FinalLearningRateFraction"/> × peak, gradients clipped to <see cref="GradClipNorm"/>.
/// </summary>
public sealed record TrainingSchedule(
    int Steps,
    int BatchSize,
    int SeqLen,
    int WarmupSteps,
    double PeakLearningRate,
    double FinalLearningRateFraction,
    double WeightDecay,
    double GradClipNorm)
{
    public long TokensPerStep => (long)BatchSize * SeqLen;

    public long TokensSeen => Steps * TokensPerStep;

    /// <summary>Linear warmup to the peak, then cosine decay to FinalLearningRateFraction × peak.</summary>
    public double LearningRate(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, Steps - WarmupSteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return PeakLearningRate * (FinalLearningRateFraction + (1 - FinalLearningRateFraction) * cosine);
    }

    /// <summary>Null when the schedule can run; else what is wrong, naming the field.</summary>
    public string? Problem() =>
        Steps < 1 ? $"steps must be at least 1, got {Steps}"
        : BatchSize < 1 ? $"batch size must be at least 1, got {BatchSize}"
        : SeqLen < 2 ? $"seqlen must be at least 2, got {SeqLen}"
        : WarmupSteps < 0 ? $"warmup steps must be at least 0, got {WarmupSteps}"
        : !(PeakLearningRate > 0) ? $"peak learning rate must be positive, got {PeakLearningRate}"
        : null;
}

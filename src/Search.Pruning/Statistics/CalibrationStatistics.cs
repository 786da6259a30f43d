using System.Runtime.InteropServices;
using System.Text;
using Search.Model;

namespace Search.Pruning.Statistics;

/// <summary>
/// The activation statistics of a pool of calibration windows, gathered in ONE no-grad pass of the
/// dense model (docs/methods.md §1: layer l+1 sees dense outputs of layer l), run layer by layer
/// (<see cref="LayerStream"/>) so a model larger than memory streams once per window group.
/// Sums are kept as prefix sums at the ladder's rungs (<see cref="CalibrationLadder"/>): the
/// statistics of the pool's first n windows for every rung n cost additions, never another pass,
/// and memory is (rungs × Σ_l (H_l·h + I_l) × 16 bytes), independent of the window count.
/// </summary>
public sealed class CalibrationStatistics
{
    private static long collections;
    private static long forwardCalls;

    /// <summary>Process-wide count of <see cref="Collect"/> calls (each is one pass over its windows).</summary>
    public static long Collections => Interlocked.Read(ref collections);

    /// <summary>Process-wide count of dense block-batch calls made by <see cref="Collect"/> in layer 0 (one per batch of windows).</summary>
    public static long ForwardCalls => Interlocked.Read(ref forwardCalls);

    public int Windows { get; }
    public int SeqLen { get; }
    public IReadOnlyList<int> Rungs { get; }
    /// <summary>One entry per decoder layer.</summary>
    public IReadOnlyList<LayerPrefixSums> Layers { get; }

    private CalibrationStatistics(int windows, int seqLen, IReadOnlyList<int> rungs, IReadOnlyList<LayerPrefixSums> layers)
    {
        Windows = windows;
        SeqLen = seqLen;
        Rungs = rungs;
        Layers = layers;
    }

    /// <summary>
    /// Runs the model over <paramref name="count"/> windows (row-major [count, seqLen] token ids) in
    /// batches of <paramref name="batchSize"/> and keeps prefix sums of every o_proj / down_proj
    /// input at the ladder's rungs. <paramref name="progress"/> receives the windows finished per batch.
    /// </summary>
    public static CalibrationStatistics Collect(IDecoderLayers dense, long[] windows, int count, int seqLen, int batchSize,
        Action<int>? progress = null)
    {
        if (count <= 0 || seqLen <= 0) throw new UserInputException($"calibration needs at least one window of at least one token (got {count}×{seqLen})");
        if (windows.Length != (long)count * seqLen)
            throw new ArgumentException($"expected {count}×{seqLen} calibration ids, got {windows.Length}");
        if (batchSize <= 0) throw new UserInputException($"calibration batch size must be positive (got {batchSize})");
        long hd = dense.Config.HeadDim;
        var rungs = CalibrationLadder.Rungs(count);
        var layers = dense.Config.Layers
            .Select(w => new LayerPrefixSums(new SitePrefixSums(checked((int)(w.NumHeads * hd)), rungs), new SitePrefixSums(w.IntermediateSize, rungs)))
            .ToList();
        foreach (var l in layers) { l.Attention.Reset(); l.Mlp.Reset(); }
        Interlocked.Increment(ref collections);
        var observer = new CountingObserver(new PrefixSumObserver(layers));
        // The final hidden states are not needed: statistics come from inside the blocks.
        LayerStream.Run(dense, windows, count, seqLen, batchSize, observer, (_, h) => progress?.Invoke((int)h.shape[0]));
        foreach (var l in layers) { l.Attention.Finish(); l.Mlp.Finish(); }
        return new CalibrationStatistics(count, seqLen, rungs, layers);
    }

    /// <summary>Counts layer-0 batches (the number of dense forward calls a batch-by-batch pass would make).</summary>
    private sealed class CountingObserver(IActivationObserver inner) : IActivationObserver
    {
        public void BeginBatch(int firstWindow) => inner.BeginBatch(firstWindow);

        public void OnOProjInput(int layer, TorchSharp.torch.Tensor x)
        {
            if (layer == 0) Interlocked.Increment(ref forwardCalls);
            inner.OnOProjInput(layer, x);
        }

        public void OnDownProjInput(int layer, TorchSharp.torch.Tensor x) => inner.OnDownProjInput(layer, x);
    }

    /// <summary>
    /// Statistics of the pool's first <paramref name="windows"/> windows, which must be a rung: pooled
    /// moments, or FLAP's running update over the whole pool in pool order (<see cref="StatisticsMode"/>).
    /// </summary>
    public ChannelStats Aggregate(int windows, StatisticsMode mode = StatisticsMode.Pooled)
    {
        if (!Rungs.Contains(windows))
            throw new UserInputException($"{windows} calibration windows is not on this pool's ladder ({string.Join(", ", Rungs)})");
        if (mode == StatisticsMode.FlapExact && windows != Windows)
            throw new UserInputException($"FLAP-exact statistics cover the whole pool ({Windows} windows), not its first {windows}");
        var layers = Layers.Select(l => mode == StatisticsMode.FlapExact
            ? new LayerChannelStats(l.Attention.FlapMoments(), l.Mlp.FlapMoments())
            : new LayerChannelStats(l.Attention.Moments(windows), l.Mlp.Moments(windows))).ToList();
        return new ChannelStats(layers, windows, mode);
    }

    /// <summary>Statistics of the whole pool.</summary>
    public ChannelStats AggregateAll(StatisticsMode mode = StatisticsMode.Pooled) => Aggregate(Windows, mode);

    /// <summary>Throws when the statistics were not gathered on a model with these layer widths.</summary>
    public void EnsureMatches(ModelConfig config)
    {
        bool ok = config.NumLayers == Layers.Count && config.Layers.Select((w, i) =>
            w.NumHeads * config.HeadDim == Layers[i].Attention.Channels && w.IntermediateSize == Layers[i].Mlp.Channels).All(x => x);
        if (!ok)
            throw new UserInputException("cached calibration statistics do not match the model's layer widths; delete the cache entry");
    }

    private static readonly byte[] Magic = "PSWSTATS"u8.ToArray();
    private static readonly byte[] Trailer = "PSWSEND."u8.ToArray();
    private const int FormatVersion = 3;

    /// <summary>
    /// Binary form for an on-disk cache: magic, version, windows, seqLen, layer count, rung count,
    /// rungs, per-layer channel counts, then per layer and site tokens[R], Σx[R·C], Σx²[R·C], FLAP's
    /// running state (tokens, windows, μ[C], F[C], s[C]) (little-endian), trailer. <see cref="Checksummed"/> adds the digest.
    /// </summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Windows);
        w.Write(SeqLen);
        w.Write(Layers.Count);
        w.Write(Rungs.Count);
        foreach (int r in Rungs) w.Write(r);
        foreach (var l in Layers)
        {
            w.Write(l.Attention.Channels);
            w.Write(l.Mlp.Channels);
        }
        w.Flush();
        foreach (var l in Layers)
            foreach (var site in new[] { l.Attention, l.Mlp })
            {
                stream.Write(MemoryMarshal.AsBytes(site.Tokens.AsSpan()));
                foreach (var row in site.Sum) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
                foreach (var row in site.SumOfSquares) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
                var (mean, fluctuation, scaler, tokens, windows) = site.Flap.State;
                w.Write(tokens);
                w.Write(windows);
                w.Flush();
                foreach (var row in new[] { mean, fluctuation, scaler }) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        stream.Write(Trailer);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; a damaged or foreign stream is an <see cref="InvalidDataException"/>.</summary>
    public static CalibrationStatistics Load(Stream stream)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("statistics cache is little-endian");
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("not a calibration statistics stream (bad magic)");
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"calibration statistics format version {version}, expected {FormatVersion}");
            int windows = r.ReadInt32(), seqLen = r.ReadInt32(), layerCount = r.ReadInt32(), rungCount = r.ReadInt32();
            if (windows <= 0 || seqLen <= 0 || layerCount <= 0 || rungCount <= 0 || rungCount > 64)
                throw new InvalidDataException($"calibration statistics header is invalid (windows {windows}, seqLen {seqLen}, layers {layerCount})");
            var rungs = Enumerable.Range(0, rungCount).Select(_ => r.ReadInt32()).ToArray();
            if (!rungs.SequenceEqual(CalibrationLadder.Rungs(windows)))
                throw new InvalidDataException("calibration statistics ladder does not match its window count");
            var channels = new (int Attention, int Mlp)[layerCount];
            for (int i = 0; i < layerCount; i++)
            {
                channels[i] = (r.ReadInt32(), r.ReadInt32());
                if (channels[i].Attention < 0 || channels[i].Mlp < 0)
                    throw new InvalidDataException($"calibration statistics header: layer {i} has negative channel counts");
            }
            var layers = new List<LayerPrefixSums>(layerCount);
            foreach (var (attention, mlp) in channels)
                layers.Add(new LayerPrefixSums(ReadSite(stream, rungs, attention), ReadSite(stream, rungs, mlp)));
            var trailer = new byte[Trailer.Length];
            stream.ReadExactly(trailer);
            if (!trailer.AsSpan().SequenceEqual(Trailer))
                throw new InvalidDataException("calibration statistics stream is damaged (bad trailer)");
            return new CalibrationStatistics(windows, seqLen, rungs, layers);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("calibration statistics stream is truncated", e);
        }
    }

    private static SitePrefixSums ReadSite(Stream stream, int[] rungs, int channels)
    {
        var tokens = new long[rungs.Length];
        stream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan()));
        double[][] Rows()
        {
            var rows = new double[rungs.Length][];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = new double[channels];
                stream.ReadExactly(MemoryMarshal.AsBytes(rows[i].AsSpan()));
            }
            return rows;
        }
        var sum = Rows();
        var sumSq = Rows();
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        long flapTokens = r.ReadInt64();
        int flapWindows = r.ReadInt32();
        double[] Row()
        {
            var row = new double[channels];
            stream.ReadExactly(MemoryMarshal.AsBytes(row.AsSpan()));
            return row;
        }
        var flap = FlapRunningMoments.Restore(Row(), Row(), Row(), flapTokens, flapWindows);
        return new SitePrefixSums(channels, rungs, sum, sumSq, tokens, flap);
    }
}

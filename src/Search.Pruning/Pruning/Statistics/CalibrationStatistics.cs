using System.Runtime.InteropServices;
using System.Text;
using Search.Model;
using static TorchSharp.torch;

namespace Search.Pruning.Pruning.Statistics;

/// <summary>
/// Per-window activation sums of a pool of calibration windows, gathered in ONE no-grad pass of the
/// dense model (FLAP: layer l+1 sees dense outputs of layer l). The statistics of any subset of the
/// pool are sums of rows (<see cref="Aggregate"/>), so trials that choose different calibration
/// subsets never run the dense model again. Memory: windows × Σ_l (H_l·h + I_l) × 16 bytes.
/// </summary>
public sealed class CalibrationStatistics
{
    private static long collections;
    private static long forwardCalls;

    /// <summary>Process-wide count of <see cref="Collect"/> calls (each is one pass over its windows).</summary>
    public static long Collections => Interlocked.Read(ref collections);

    /// <summary>Process-wide count of dense forward calls made by <see cref="Collect"/> (one per batch).</summary>
    public static long ForwardCalls => Interlocked.Read(ref forwardCalls);

    public int Windows { get; }
    public int SeqLen { get; }
    /// <summary>One entry per decoder layer.</summary>
    public IReadOnlyList<LayerWindowSums> Layers { get; }

    private CalibrationStatistics(int windows, int seqLen, IReadOnlyList<LayerWindowSums> layers)
    {
        Windows = windows;
        SeqLen = seqLen;
        Layers = layers;
    }

    /// <summary>
    /// Runs the model over <paramref name="count"/> windows (row-major [count, seqLen] token ids) in
    /// batches of <paramref name="batchSize"/> and keeps per-window sums of every o_proj / down_proj
    /// input. <paramref name="progress"/> receives the number of windows finished in each batch.
    /// </summary>
    public static CalibrationStatistics Collect(Transformer dense, long[] windows, int count, int seqLen, int batchSize,
        Action<int>? progress = null)
    {
        if (count <= 0 || seqLen <= 0) throw new UserInputException($"calibration needs at least one window of at least one token (got {count}×{seqLen})");
        if (windows.Length != (long)count * seqLen)
            throw new ArgumentException($"expected {count}×{seqLen} calibration ids, got {windows.Length}");
        if (batchSize <= 0) throw new UserInputException($"calibration batch size must be positive (got {batchSize})");
        long hd = dense.Config.HeadDim;
        var layers = dense.Config.Layers
            .Select(w => new LayerWindowSums(
                new SiteWindowSums(count, checked((int)(w.NumHeads * hd))),
                new SiteWindowSums(count, w.IntermediateSize)))
            .ToList();
        var observer = new WindowSumObserver(layers);
        Interlocked.Increment(ref collections);
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batchSize, count - start);
            var ids = tensor(windows.AsSpan(start * seqLen, b * seqLen).ToArray(), [b, seqLen], ScalarType.Int64)
                .to(dense.Device);                                                // [B, T]
            observer.FirstWindow = start;
            Interlocked.Increment(ref forwardCalls);
            dense.ForwardHidden(ids, observer); // the lm_head's logits are not needed here
            progress?.Invoke(b);
        }
        return new CalibrationStatistics(count, seqLen, layers);
    }

    /// <summary>
    /// Statistics of the chosen windows (pool indices; a repeated index counts twice), pooled by default
    /// or with FLAP's running update in the given window order (<see cref="StatisticsMode"/>).
    /// </summary>
    public ChannelStats Aggregate(IReadOnlyList<int> windowIndices, StatisticsMode mode = StatisticsMode.Pooled)
    {
        if (windowIndices.Count == 0) throw new UserInputException("a calibration subset needs at least one window");
        var layers = Layers.Select(l => new LayerChannelStats(l.Attention.Aggregate(windowIndices, mode), l.Mlp.Aggregate(windowIndices, mode)))
            .ToList();
        return new ChannelStats(layers, windowIndices.Count, mode);
    }

    /// <summary>Statistics of the whole pool (windows in pool order).</summary>
    public ChannelStats AggregateAll(StatisticsMode mode = StatisticsMode.Pooled) => Aggregate(Enumerable.Range(0, Windows).ToArray(), mode);

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
    private const int FormatVersion = 1;

    /// <summary>
    /// Binary form for an on-disk cache: magic, version, windows, seqLen, layer count, per-layer
    /// channel counts, then per layer and site tokens[W], Σx[W·C], Σx²[W·C] (little-endian), trailer.
    /// </summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Windows);
        w.Write(SeqLen);
        w.Write(Layers.Count);
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
                stream.Write(MemoryMarshal.AsBytes(site.Sum.AsSpan()));
                stream.Write(MemoryMarshal.AsBytes(site.SumOfSquares.AsSpan()));
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
            int windows = r.ReadInt32(), seqLen = r.ReadInt32(), layerCount = r.ReadInt32();
            if (windows <= 0 || seqLen <= 0 || layerCount <= 0)
                throw new InvalidDataException($"calibration statistics header is invalid (windows {windows}, seqLen {seqLen}, layers {layerCount})");
            var channels = new (int Attention, int Mlp)[layerCount];
            for (int i = 0; i < layerCount; i++)
            {
                channels[i] = (r.ReadInt32(), r.ReadInt32());
                if (channels[i].Attention < 0 || channels[i].Mlp < 0)
                    throw new InvalidDataException($"calibration statistics header: layer {i} has negative channel counts");
            }
            var layers = new List<LayerWindowSums>(layerCount);
            foreach (var (attention, mlp) in channels)
                layers.Add(new LayerWindowSums(ReadSite(stream, windows, attention), ReadSite(stream, windows, mlp)));
            var trailer = new byte[Trailer.Length];
            stream.ReadExactly(trailer);
            if (!trailer.AsSpan().SequenceEqual(Trailer))
                throw new InvalidDataException("calibration statistics stream is damaged (bad trailer)");
            return new CalibrationStatistics(windows, seqLen, layers);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("calibration statistics stream is truncated", e);
        }
    }

    private static SiteWindowSums ReadSite(Stream stream, int windows, int channels)
    {
        var tokens = new long[windows];
        var sum = new double[(long)windows * channels];
        var sumSq = new double[(long)windows * channels];
        stream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan()));
        stream.ReadExactly(MemoryMarshal.AsBytes(sum.AsSpan()));
        stream.ReadExactly(MemoryMarshal.AsBytes(sumSq.AsSpan()));
        return new SiteWindowSums(windows, channels, sum, sumSq, tokens);
    }
}

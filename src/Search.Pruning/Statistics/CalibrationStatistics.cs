using System.Runtime.InteropServices;
using System.Text;
using Search.Model;

namespace Search.Pruning.Statistics;

/// <summary>
/// The activation statistics of a pool of calibration windows, gathered in no-grad passes of the
/// dense model (docs/methods.md §1: layer l+1 sees dense outputs of layer l), run layer by layer
/// (<see cref="LayerStream"/>) so a model larger than memory streams once per window group.
/// Sums are kept as prefix sums at the ladder's rungs (<see cref="CalibrationLadder"/>): the
/// statistics of the pool's first n windows for every rung n cost additions, never another pass,
/// and memory is (rungs × Σ_l (H_l·h + I_l) × 16 bytes), independent of the window count.
/// A pool is collected lazily: only up to the <see cref="Extent"/> (a rung) the trials have asked
/// for, and <see cref="Extend"/> later runs only the new windows. Batches never straddle a rung
/// (<see cref="Batches"/>), so every window runs in the same batch whether the pool was collected at
/// once or rung by rung, and an extended pool's sums are bit-identical to a full pass's.
/// </summary>
public sealed class CalibrationStatistics
{
    /// <summary>The pool's window count (its ladder's top rung).</summary>
    public int Windows { get; }
    public int SeqLen { get; }
    /// <summary>How many of the pool's first windows are collected (a rung; <see cref="Windows"/> once complete).</summary>
    public int Extent => Layers.Count == 0 ? Windows : Layers[0].Attention.Extent;
    /// <summary>The rungs whose statistics are available (the ladder up to <see cref="Extent"/>).</summary>
    public IReadOnlyList<int> Rungs => Ladder.Where(r => r <= Extent).ToArray();
    /// <summary>The whole pool's ladder.</summary>
    public IReadOnlyList<int> Ladder { get; }
    /// <summary>One entry per decoder layer.</summary>
    public IReadOnlyList<LayerPrefixSums> Layers { get; }
    /// <summary>The identity string stored with the statistics on disk (null when read from a format-3 file, which had none).</summary>
    public string? StoredKey { get; private init; }

    private CalibrationStatistics(int windows, int seqLen, IReadOnlyList<int> ladder, IReadOnlyList<LayerPrefixSums> layers)
    {
        Windows = windows;
        SeqLen = seqLen;
        Ladder = ladder;
        Layers = layers;
    }

    /// <summary>
    /// Runs the model over all <paramref name="count"/> windows (row-major [count, seqLen] token ids) in
    /// batches of at most <paramref name="batchSize"/> and keeps prefix sums of every o_proj / down_proj
    /// input at the ladder's rungs. <paramref name="progress"/> receives the windows finished per batch.
    /// </summary>
    public static CalibrationStatistics Collect(IDecoderLayers dense, long[] windows, int count, int seqLen, int batchSize,
        Action<int>? progress = null) => CollectPrefix(dense, windows, count, seqLen, batchSize, count, progress);

    /// <summary>
    /// The statistics of a pool of <paramref name="count"/> windows collected over its first
    /// <paramref name="extent"/> windows only (a rung of its ladder); <see cref="Extend"/> adds more later.
    /// </summary>
    public static CalibrationStatistics CollectPrefix(IDecoderLayers dense, long[] windows, int count, int seqLen, int batchSize,
        int extent, Action<int>? progress = null)
    {
        if (count <= 0 || seqLen <= 0) throw new UserInputException($"calibration needs at least one window of at least one token (got {count}×{seqLen})");
        if (windows.Length != (long)count * seqLen)
            throw new ArgumentException($"expected {count}×{seqLen} calibration ids, got {windows.Length}");
        long hd = dense.Config.HeadDim;
        var rungs = CalibrationLadder.Rungs(count);
        var layers = dense.Config.Layers
            .Select(w => new LayerPrefixSums(new SitePrefixSums(checked((int)(w.NumHeads * hd)), rungs), new SitePrefixSums(w.IntermediateSize, rungs)))
            .ToList();
        var stats = new CalibrationStatistics(count, seqLen, rungs, layers);
        stats.Extend(dense, windows, extent, batchSize, progress);
        return stats;
    }

    /// <summary>
    /// Extends the statistics to the pool's first <paramref name="extent"/> windows (a rung) with one
    /// pass over the windows not yet collected; nothing runs when they already cover it.
    /// <paramref name="windows"/> are the whole pool's ids. <paramref name="progress"/> receives the
    /// window count of each batch the dense model runs, in order (never called when nothing runs).
    /// </summary>
    public void Extend(IDecoderLayers dense, long[] windows, int extent, int batchSize, Action<int>? progress = null)
    {
        if (batchSize <= 0) throw new UserInputException($"calibration batch size must be positive (got {batchSize})");
        if (windows.Length != (long)Windows * SeqLen)
            throw new ArgumentException($"expected the pool's {Windows}×{SeqLen} calibration ids, got {windows.Length}");
        if (!Ladder.Contains(extent))
            throw new ArgumentException($"{extent} windows is not on this pool's ladder ({string.Join(", ", Ladder)})");
        EnsureMatches(dense.Config);
        int from = Extent;
        if (extent <= from) return;
        foreach (var l in Layers) { l.Attention.Begin(extent); l.Mlp.Begin(extent); }
        // The final hidden states are not needed: statistics come from inside the blocks.
        LayerStream.Run(dense, windows, SeqLen, Batches(from, extent, Ladder, batchSize), new PrefixSumObserver(Layers),
            (_, h) => progress?.Invoke((int)h.shape[0]));
        foreach (var l in Layers) { l.Attention.Finish(); l.Mlp.Finish(); }
    }

    /// <summary>
    /// The batches a pass over windows [<paramref name="from"/>, <paramref name="to"/>) runs: consecutive,
    /// at most <paramref name="batchSize"/> windows, none straddling a rung of <paramref name="ladder"/>
    /// — the same batches for a window whichever rung a pass starts from.
    /// </summary>
    public static IReadOnlyList<(int Start, int Count)> Batches(int from, int to, IReadOnlyList<int> ladder, int batchSize)
    {
        var batches = new List<(int, int)>();
        for (int s = from; s < to;)
        {
            int rung = ladder.FirstOrDefault(r => r > s, to);
            int b = Math.Min(batchSize, Math.Min(rung, to) - s);
            batches.Add((s, b));
            s += b;
        }
        return batches;
    }

    /// <summary>
    /// Statistics of the pool's first <paramref name="windows"/> windows, which must be a rung: pooled
    /// moments, or FLAP's running update over the whole pool in pool order (<see cref="StatisticsMode"/>).
    /// </summary>
    public ChannelStats Aggregate(int windows, StatisticsMode mode = StatisticsMode.Pooled)
    {
        if (!Ladder.Contains(windows))
            throw new UserInputException($"{windows} calibration windows is not on this pool's ladder ({string.Join(", ", Ladder)})");
        if (windows > Extent)
            throw new InvalidOperationException($"the pool's statistics cover its first {Extent} windows, not {windows}: extend them first");
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
    /// <summary>4: a key and an extent (lazy pools). 3 (read, never written): the whole pool, no key.</summary>
    private const int FormatVersion = 4;
    private const int LegacyFormatVersion = 3;

    /// <summary>
    /// Binary form for an on-disk cache: magic, version, key (int32 byte count + UTF-8: the identity
    /// the cache stored it under), windows, extent, seqLen, layer count, rung count R (rungs up to the
    /// extent), rungs, per-layer channel counts, then per layer and site tokens[R], Σx[R·C], Σx²[R·C],
    /// FLAP's running state (tokens, windows, μ[C], F[C], s[C]) (little-endian), trailer.
    /// <see cref="Checksummed"/> adds the digest. Format 3 was the same without key and extent (whole pools).
    /// </summary>
    public void Save(Stream stream, string key = "")
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var rungs = Rungs;
        w.Write(Magic);
        w.Write(FormatVersion);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        w.Write(keyBytes.Length);
        w.Write(keyBytes);
        w.Write(Windows);
        w.Write(Extent);
        w.Write(SeqLen);
        w.Write(Layers.Count);
        w.Write(rungs.Count);
        foreach (int r in rungs) w.Write(r);
        foreach (var l in Layers)
        {
            w.Write(l.Attention.Channels);
            w.Write(l.Mlp.Channels);
        }
        w.Flush();
        foreach (var l in Layers)
            foreach (var site in new[] { l.Attention, l.Mlp })
            {
                stream.Write(MemoryMarshal.AsBytes(site.Tokens.AsSpan(0, rungs.Count)));
                for (int r = 0; r < rungs.Count; r++) stream.Write(MemoryMarshal.AsBytes(site.Sum[r]!.AsSpan()));
                for (int r = 0; r < rungs.Count; r++) stream.Write(MemoryMarshal.AsBytes(site.SumOfSquares[r]!.AsSpan()));
                var (mean, fluctuation, scaler, tokens, windows) = site.Flap.State;
                w.Write(tokens);
                w.Write(windows);
                w.Flush();
                foreach (var row in new[] { mean, fluctuation, scaler }) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        stream.Write(Trailer);
    }

    /// <summary>The extent a saved stream holds, from its header alone (null when it is not a statistics stream).</summary>
    public static int? PeekExtent(Stream stream)
    {
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            int version = r.ReadInt32();
            if (version == LegacyFormatVersion) return r.ReadInt32();
            if (version != FormatVersion) return null;
            int keyLength = r.ReadInt32();
            if (keyLength < 0 || keyLength > 1 << 16) return null;
            r.ReadBytes(keyLength);
            r.ReadInt32();
            return r.ReadInt32();
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote (or a format-3 stream); a damaged or foreign stream is an <see cref="InvalidDataException"/>.</summary>
    public static CalibrationStatistics Load(Stream stream)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("statistics cache is little-endian");
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("not a calibration statistics stream (bad magic)");
            int version = r.ReadInt32();
            if (version != FormatVersion && version != LegacyFormatVersion)
                throw new InvalidDataException($"calibration statistics format version {version}, expected {FormatVersion} (or {LegacyFormatVersion})");
            string? key = null;
            if (version == FormatVersion)
            {
                int keyLength = r.ReadInt32();
                if (keyLength < 0 || keyLength > 1 << 16) throw new InvalidDataException($"calibration statistics key length {keyLength} is invalid");
                key = Encoding.UTF8.GetString(r.ReadBytes(keyLength));
            }
            int windows = r.ReadInt32();
            int extent = version == FormatVersion ? r.ReadInt32() : windows;
            int seqLen = r.ReadInt32(), layerCount = r.ReadInt32(), rungCount = r.ReadInt32();
            if (windows <= 0 || seqLen <= 0 || layerCount <= 0 || rungCount <= 0 || rungCount > 64)
                throw new InvalidDataException($"calibration statistics header is invalid (windows {windows}, seqLen {seqLen}, layers {layerCount})");
            var ladder = CalibrationLadder.Rungs(windows);
            var rungs = Enumerable.Range(0, rungCount).Select(_ => r.ReadInt32()).ToArray();
            if (!ladder.Contains(extent) || !rungs.SequenceEqual(ladder.Where(x => x <= extent)))
                throw new InvalidDataException("calibration statistics ladder does not match its window count and extent");
            var channels = new (int Attention, int Mlp)[layerCount];
            for (int i = 0; i < layerCount; i++)
            {
                channels[i] = (r.ReadInt32(), r.ReadInt32());
                if (channels[i].Attention < 0 || channels[i].Mlp < 0)
                    throw new InvalidDataException($"calibration statistics header: layer {i} has negative channel counts");
            }
            var layers = new List<LayerPrefixSums>(layerCount);
            foreach (var (attention, mlp) in channels)
                layers.Add(new LayerPrefixSums(ReadSite(stream, ladder, rungCount, attention, extent), ReadSite(stream, ladder, rungCount, mlp, extent)));
            var trailer = new byte[Trailer.Length];
            stream.ReadExactly(trailer);
            if (!trailer.AsSpan().SequenceEqual(Trailer))
                throw new InvalidDataException("calibration statistics stream is damaged (bad trailer)");
            return new CalibrationStatistics(windows, seqLen, ladder, layers) { StoredKey = key };
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("calibration statistics stream is truncated", e);
        }
    }

    private static SitePrefixSums ReadSite(Stream stream, int[] ladder, int rungCount, int channels, int extent)
    {
        var tokens = new long[ladder.Length];
        stream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan(0, rungCount)));
        double[]?[] Rows()
        {
            var rows = new double[]?[ladder.Length];
            for (int i = 0; i < rungCount; i++)
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
        if (flapWindows != extent && channels > 0)
            throw new InvalidDataException($"calibration statistics: FLAP's running state covers {flapWindows} windows, the sums {extent}");
        double[] Row()
        {
            var row = new double[channels];
            stream.ReadExactly(MemoryMarshal.AsBytes(row.AsSpan()));
            return row;
        }
        var flap = FlapRunningMoments.Restore(Row(), Row(), Row(), flapTokens, flapWindows);
        return new SitePrefixSums(channels, ladder, sum, sumSq, tokens, flap, extent);
    }
}

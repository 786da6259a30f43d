using Search.Model;
using Search.Model.Export;
using Search.Runtime.LlamaCpp;
using Search.Tests.Data;
using Search.Tests.Pruning;
using Xunit.Abstractions;

namespace Search.Tests.Export;

/// <summary>
/// Pruned models quantized by llama.cpp's own quantizer (LLamaSharp 0.30.0's CPU build): the report
/// of what each tensor became is checked against the file's tensor table read by the independent
/// <see cref="GgufTestReader"/>, every fallback is a row length the block does not divide, the file
/// loads in llama.cpp, and its perplexity is within the type's stated tolerance
/// (<see cref="GgufQuantization.PerplexityTolerance"/>) of the f32 file it was made from, on the same
/// windows. With widths on the block (<c>--width-multiple</c>) nothing falls back.
/// </summary>
[Collection(PruningCollection.Name)]
public sealed class GgufQuantizationTests(ITestOutputHelper output)
{
    private const int SeqLen = 64;

    /// <summary>
    /// A random model whose every row length can sit on llama.cpp's blocks: hidden 256, 8 heads of 64 in
    /// 2 KV groups (a group is 256 o_proj columns), 768 MLP channels, 3 layers, the embedded tokenizer.
    /// </summary>
    private static Transformer WideRandom() =>
        RandomModels.Create(seed: 31, layers: 3, hidden: 256, heads: 8, kvHeads: 2, headDim: 64, intermediate: 768,
            vocab: EmbeddedModel.Model.Config.VocabSize);

    /// <summary>FLAP AL-AM-exact at 40% keeping multiples of <paramref name="multiple"/> channels, layer 1's attention removed (deci).</summary>
    private static Transformer PrunedWide(Transformer dense, int multiple) =>
        PrunedModels.Flap(dense, RandomModels.RandomWindows(dense.Config.VocabSize, 8, SeqLen, seed: 32), 8, SeqLen, 0.4,
            dropAttention: 1, widthMultiple: multiple);

    private QuantizedGguf Quantize(Transformer model, GgufQuantization q, TempFolder tmp, long[] windows, int seqLen = SeqLen)
    {
        var result = QuantizedExport.Write(model, EmbeddedModel.Dir, Path.Combine(tmp.Path, $"{q.Name}.gguf"), q, LlamaCppParity.Threads,
            new GgufCheckWindows(windows, windows.Length / seqLen, seqLen));
        foreach (var line in result.Report.Lines(maxFallbacks: 4)) output.WriteLine(line);
        output.WriteLine(result.Check!.Line(q.Name));
        AssertReportMatchesFile(result);
        return result;
    }

    /// <summary>The report states what the file holds: each tensor's type, read back by the independent reader.</summary>
    private static void AssertReportMatchesFile(QuantizedGguf q)
    {
        var file = new GgufTestReader(q.Written.Path);
        Assert.Equal(file.Tensors.Select(t => t.Name), q.Report.Tensors.Select(t => t.Name));
        foreach (var (t, r) in file.Tensors.Zip(q.Report.Tensors))
        {
            Assert.Equal(GgmlTypes.Name(t.Type), r.Type);
            Assert.Equal((long)t.Dims[0], r.RowLength);
            // A fallback is a matrix outside the quantization's family; anything else is in it or a vector.
            Assert.Equal(t.Dims.Length >= 2 && !q.Report.Quantization.Family.Contains(t.Type), r.Fallback);
        }
        Assert.Equal(new FileInfo(q.Written.Path).Length, q.Report.FileBytes);
        Assert.True(q.Report.FileBytes < q.Report.SourceFileBytes / 2, "a quantized file is much smaller than its f32 source");
        using var gguf = LlamaCppModel.Load(q.Written.Path, 16, LlamaCppParity.Threads);
        Assert.Equal(q.Report.Quantization.Name, gguf.WeightType);
    }

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_0")]
    public void Given_a_pruned_deci_model_with_biases_and_MLP_widths_on_multiples_of_32_When_quantized_Then_no_tensor_falls_back_and_its_ppl_is_within_tolerance(
        string type)
    {
        var q = GgufQuantization.Parse(type, "test");
        using var dense = WideRandom();
        using var pruned = PrunedWide(dense, 32);
        Assert.Equal(GgufWriter.DeciArchitecture, GgufWriter.ArchitectureFor(pruned.Config));
        Assert.Contains(pruned.Layers, l => l.OBias is not null);
        Assert.Contains(pruned.Layers, l => l.DownBias is not null);
        Assert.All(pruned.Config.Layers, l => Assert.Equal(0, l.IntermediateSize % 32));
        using var tmp = new TempFolder();
        var result = Quantize(pruned, q, tmp, RandomModels.RandomWindows(dense.Config.VocabSize, 8, SeqLen, seed: 33));
        Assert.Empty(result.Report.Fallbacks);
        Assert.True(result.Check!.Passed, result.Check.Line(type));
    }

    [Fact]
    public void Given_MLP_widths_on_multiples_of_256_When_quantized_to_q4_k_m_Then_no_tensor_falls_back_and_without_the_multiple_ffn_down_does()
    {
        var q = GgufQuantization.Q4_K_M;
        using var dense = WideRandom();
        var windows = RandomModels.RandomWindows(dense.Config.VocabSize, 8, SeqLen, seed: 34);
        using var tmp = new TempFolder();
        using (var pruned = PrunedWide(dense, 256))
        {
            Assert.Equal(GgufWriter.DeciArchitecture, GgufWriter.ArchitectureFor(pruned.Config));
            Assert.All(pruned.Config.Layers, l => Assert.Equal(0, l.IntermediateSize % 256));
            var result = Quantize(pruned, q, tmp, windows);
            Assert.Empty(result.Report.Fallbacks);
            Assert.Contains(result.Report.Tensors, t => t.Type == "q4_K");
            Assert.True(result.Check!.Passed, result.Check.Line(q.Name));
        }
        // The same pruning at any width (AL-AM as published): ffn_down rows off the block fall back.
        using var free = PrunedModels.Flap(dense, RandomModels.RandomWindows(dense.Config.VocabSize, 8, SeqLen, seed: 32), 8, SeqLen, 0.4, dropAttention: 1);
        Assert.Contains(free.Config.Layers, l => l.IntermediateSize % 256 != 0);
        using var tmp2 = new TempFolder();
        var fell = Quantize(free, q, tmp2, windows).Report.Fallbacks;
        Assert.NotEmpty(fell);
        Assert.All(fell, t => Assert.EndsWith("ffn_down.weight", t.Name));
        Assert.All(fell, t => Assert.NotEqual(0, t.RowLength % 256));
    }

    public static TheoryData<string> EmbeddedTypes() => new() { "q8_0", "q4_k_m" };

    [Theory]
    [MemberData(nameof(EmbeddedTypes))]
    public void Given_the_embedded_model_pruned_with_removed_blocks_When_quantized_Then_each_fallback_is_a_row_off_the_block_and_the_file_scores_within_tolerance(
        string type)
    {
        // Hidden 64, heads of 8, 176 channels: q8_0's 32-blocks miss the pruned ffn_down and attn_output rows, q4_k_m's 256 miss every row.
        var q = GgufQuantization.Parse(type, "test");
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        using var tmp = new TempFolder();
        var result = Quantize(pruned, q, tmp, GgufEmbeddedLlamaCppTests.TextWindows(SeqLen, 16, out _));
        var report = result.Report;
        Assert.NotEmpty(report.Fallbacks);
        int block = q.RowMultiple;
        Assert.All(report.Fallbacks, t => Assert.NotEqual(0, t.RowLength % (t.Requested!.EndsWith("_K") ? 256 : 32)));
        Assert.All(report.Tensors.Where(t => t.Requested is not null && !t.Fallback), t => Assert.Equal(0, t.RowLength % block));
        if (q == GgufQuantization.Q8_0)
        {
            // llama.cpp has no q8_0 fallback: the odd rows are our f16 override, every other matrix is q8_0.
            Assert.All(report.Fallbacks, t => Assert.Equal(("q8_0", "f16"), (t.Requested, t.Type)));
            Assert.Contains(report.Fallbacks, t => t.Name.EndsWith("ffn_down.weight"));
        }
        Assert.True(result.Check!.Passed, result.Check.Line(type));
    }

    [Fact]
    public void Given_a_uniformly_pruned_model_in_the_llama_layout_When_quantized_to_q8_0_Then_llama_cpp_runs_it_within_tolerance()
    {
        using var pruned = PrunedModels.Flap(EmbeddedModel.Model, EmbeddedModel.Windows(8, SeqLen, seed: 36), 8, SeqLen, 0.5, uniform: true);
        Assert.Equal(GgufWriter.LlamaArchitecture, GgufWriter.ArchitectureFor(pruned.Config));
        using var tmp = new TempFolder();
        var result = Quantize(pruned, GgufQuantization.Q8_0, tmp, GgufEmbeddedLlamaCppTests.TextWindows(SeqLen, 16, out _));
        Assert.Equal(GgufWriter.LlamaArchitecture, result.Written.Architecture);
        Assert.Equal(GgufWriter.LlamaArchitecture, GgufTensorTable.Read(result.Written.Path).Architecture);
        Assert.True(result.Check!.Passed, result.Check.Line("q8_0"));
    }

    public static TheoryData<string> StoriesTypes() => new() { "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0" };

    /// <summary>A trained model (stories260K) pruned 50% with FLAP biases, deci: the perplexity cost of each quantization on TinyStories.</summary>
    [SharedTheory]
    [MemberData(nameof(StoriesTypes))]
    public void Given_stories260K_pruned_50_percent_When_quantized_Then_llama_cpp_ppl_is_within_the_types_tolerance_of_the_f32_file(string type)
    {
        var q = GgufQuantization.Parse(type, "test");
        using var pruned = PrunedModels.Flap(Stories260KFixture.Model, Stories260KFixture.Calibration,
            Stories260KFixture.CalibrationWindows, Stories260KFixture.SeqLen, 0.5);
        Assert.Equal(GgufWriter.DeciArchitecture, GgufWriter.ArchitectureFor(pruned.Config));
        using var tmp = new TempFolder();
        var result = QuantizedExport.Write(pruned, SharedAssets.Stories260K, Path.Combine(tmp.Path, "s.gguf"), q, LlamaCppParity.Threads,
            new GgufCheckWindows(Stories260KFixture.Eval, Stories260KFixture.EvalWindows, Stories260KFixture.SeqLen));
        output.WriteLine(string.Join("\n", result.Report.Lines(0)));
        output.WriteLine(result.Check!.Line(type));
        AssertReportMatchesFile(result);
        Assert.True(result.Check.Passed, result.Check.Line(type));
    }

    [Fact]
    public void Given_an_f32_export_When_its_table_is_read_Then_it_matches_the_independent_reader()
    {
        using var tmp = new TempFolder();
        using var pruned = GgufEmbeddedLlamaCppTests.RemovedBlocks();
        string path = Path.Combine(tmp.Path, "p.gguf");
        GgufWriter.Write(pruned, EmbeddedModel.Dir, path, GgufFileType.F16);
        var table = GgufTensorTable.Read(path);
        var file = new GgufTestReader(path);
        Assert.Equal(GgufWriter.DeciArchitecture, table.Architecture);
        Assert.Equal((uint)GgufFileType.F16, table.FileType);
        Assert.Equal(file.Tensors.Select(t => (t.Name, t.Type, (long)t.Offset, string.Join(" x ", t.Dims))),
            table.Tensors.Select(t => (t.Name, t.Type, t.Offset, t.Shape)));
        // Bytes per tensor: its elements at 2 (f16) or 4 (f32) bytes, padded to the 32-byte alignment.
        Assert.All(table.Tensors.Zip(file.Tensors), p =>
            Assert.Equal((p.Second.Dims.Aggregate(1L, (a, d) => a * (long)d) * GgufTestReader.ElementSize(p.Second.Type) + 31) / 32 * 32, p.First.Bytes));
        Assert.Equal(file.FileLength, table.FileBytes);
        var bad = Path.Combine(tmp.Path, "bad.gguf");
        File.WriteAllBytes(bad, File.ReadAllBytes(path)[..100]);
        Assert.Contains("cut short", Assert.Throws<UserInputException>(() => GgufTensorTable.Read(bad)).Message);
    }
}

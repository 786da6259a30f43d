using Search.Data;
using Search.Model.Runtime;
using Search.Model.Shapes;
using Search.Training;
using static TorchSharp.torch;

namespace Search.Application.Models;

/// <summary>What <c>init-model</c> was asked, parsed and checked.</summary>
/// <param name="Tokenizer">Folder whose tokenizer files are copied; null: the nearest shared/tokenizers/llama2-32k, else the embedded model's.</param>
/// <param name="Layers">Keep only this many layers of the real shape; null: all.</param>
public sealed record InitModelRequest(ModelShape Shape, ScalarType Dtype, long Seed, string OutDir, string? Tokenizer, int? Layers);

/// <summary>
/// <c>init-model</c>: a random-weight checkpoint of a real model's shape as a normal HF folder,
/// deterministic for a seed (<see cref="RandomCheckpoint"/>).
/// </summary>
public static class ModelInit
{
    public static void Run(TextWriter output, InitModelRequest r)
    {
        TorchRuntime.Initialize();
        string tokenizerDir = r.Tokenizer
                              ?? DataDirectory.FindShared(Directory.GetCurrentDirectory(), Path.Combine("tokenizers", "llama2-32k"))
                              ?? ModelSources.ResolveDir(ModelSources.Embedded, output);
        RandomCheckpoint.Write(r.Shape, r.Dtype, r.Seed, r.OutDir, tokenizerDir, r.Layers, output.WriteLine);
        output.WriteLine($"wrote {r.OutDir} (tokenizer from {tokenizerDir})");
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Search.Reporting.Experiments;

/// <summary>
/// One experiments/*.json file: what to run (model, evaluation protocol, space, sampler, seed,
/// budget) and the published rows to put next to what it measures. Paths are relative to the
/// repository root (the parent of the experiments folder). <see cref="Runnable"/> false marks a
/// file that only records reference numbers and the command for a bigger machine.
/// </summary>
public sealed record ExperimentSpec(
    string Name,
    string Description,
    string Model,
    string EvalDataset,
    [property: JsonPropertyName("seqlen")] int SeqLen,
    string Bos,
    string Space,
    string Sampler,
    int Seed,
    int Trials,
    double Ratio,
    int ProxyWindows,
    int Finalists,
    int? PoolSize,
    IReadOnlyList<PublishedRow> Published,
    bool Runnable = true,
    string? Command = null,
    [property: JsonPropertyName("final_tokens")] JsonElement? FinalTokensValue = null,
    IReadOnlyList<int>? Seeds = null,
    string Fitness = "ppl",
    IReadOnlyList<ExperimentVariant>? Variants = null)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The sampler seeds to run (<see cref="Seed"/> alone unless <c>seeds</c> lists several).</summary>
    public IReadOnlyList<int> SearchSeeds => Seeds is { Count: > 0 } s ? s : [Seed];

    /// <summary>The study of one search seed: the experiment's name, suffixed with -s{seed} when it runs several.</summary>
    public string StudyName(int seed) => SearchSeeds.Count > 1 ? $"{Name}-s{seed}" : Name;

    /// <summary>
    /// The experiment as each variant runs it (an ablation: the same budget and baselines, one lever
    /// changed per variant), or the experiment itself when it has none. A variant's study is NAME-VARIANT.
    /// </summary>
    public IReadOnlyList<ExperimentSpec> Expanded =>
        Variants is not { Count: > 0 } v
            ? [this]
            : v.Select(x => this with
            {
                Name = $"{Name}-{x.Name}",
                Description = x.Description ?? Description,
                Space = x.Space ?? Space,
                Sampler = x.Sampler ?? Sampler,
                Fitness = x.Fitness ?? Fitness,
                Variants = null,
            }).ToList();

    /// <summary>The final scoring budget: a token count, or null for "all" (whole splits); absent means the default.</summary>
    public long? FinalTokens(long defaultTokens) => FinalTokensValue switch
    {
        null => defaultTokens,
        { ValueKind: JsonValueKind.String } v when v.GetString() == "all" => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out long n) && n > 0 => n,
        var v => throw new ReportInputException($"experiment {Name}: final_tokens must be a positive number or \"all\", got {v}"),
    };

    /// <summary>Reads a file given as a path or as experiments/NAME; one-line errors for missing or malformed files.</summary>
    public static ExperimentSpec Load(string path)
    {
        string file = File.Exists(path) ? path : File.Exists(path + ".json") ? path + ".json" : throw new ReportInputException($"experiment {path}: file not found");
        try
        {
            var spec = JsonSerializer.Deserialize<ExperimentSpec>(File.ReadAllText(file), Options)
                       ?? throw new ReportInputException($"experiment {file}: empty file");
            if (string.IsNullOrWhiteSpace(spec.Name)) throw new ReportInputException($"experiment {file}: 'name' is missing");
            return spec with { Published = spec.Published ?? [] };
        }
        catch (JsonException e)
        {
            throw new ReportInputException($"experiment {file}: {e.Message}", e);
        }
    }

    /// <summary>The repository root an experiment file's relative paths start from.</summary>
    public static string RootOf(string experimentFile)
    {
        string full = Path.GetFullPath(File.Exists(experimentFile) ? experimentFile : experimentFile + ".json");
        return Path.GetDirectoryName(Path.GetDirectoryName(full))!;
    }
}

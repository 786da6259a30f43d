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
                Trials = x.Trials ?? Trials,
                Seeds = x.Seeds ?? Seeds,
                Variants = null,
            }).ToList();

    /// <summary>The final scoring budget: a token count, or null for "all" (whole splits); absent means the default.</summary>
    public long? FinalTokens(long defaultTokens) => FinalTokensValue switch
    {
        null => defaultTokens,
        { ValueKind: JsonValueKind.String } v when v.GetString() == "all" => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out long n) && n > 0 => n,
        var v => throw new ReportInputException($"experiment {Source}: field 'final_tokens' must be a positive number or \"all\", got {v}"),
    };

    /// <summary>The file the experiment was read from (as found by <see cref="Load"/>), for messages.</summary>
    [JsonIgnore]
    public string Source { get; init; } = "";

    /// <summary>
    /// Fields every experiment file must give (the record's constructor parameters without a
    /// default): System.Text.Json would leave a missing one null or 0, and the run would fail far
    /// from the file (a missing "model" surfaced as <c>ArgumentNullException 'path2'</c>).
    /// </summary>
    public static readonly string[] RequiredFields =
        ["name", "model", "eval_dataset", "seqlen", "bos", "space", "sampler", "seed", "trials", "ratio", "proxy_windows", "finalists"];

    /// <summary>Reads a file given as a path or as experiments/NAME; one-line errors for missing or malformed files.</summary>
    public static ExperimentSpec Load(string path)
    {
        string file = File.Exists(path) ? path : File.Exists(path + ".json") ? path + ".json" : throw new ReportInputException($"experiment {path}: file not found");
        try
        {
            string text = File.ReadAllText(file);
            EnsureRequiredFields(file, text);
            var spec = JsonSerializer.Deserialize<ExperimentSpec>(text, Options)
                       ?? throw new ReportInputException($"experiment {file}: empty file");
            if (string.IsNullOrWhiteSpace(spec.Name)) throw new ReportInputException($"experiment {file}: 'name' is missing");
            spec = spec with { Published = spec.Published ?? [], Source = file };
            spec.EnsureRanges(file);
            return spec;
        }
        catch (JsonException e)
        {
            // The serializer's message names a .NET type; the user needs the field and the line.
            if (e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal))
                throw new ReportInputException($"experiment {file}: field '{p[2..]}' has the wrong JSON type or value (line {e.LineNumber + 1})", e);
            throw new ReportInputException($"experiment {file}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private static void EnsureRequiredFields(string file, string text)
    {
        using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new ReportInputException($"experiment {file}: expected a JSON object");
        foreach (var name in RequiredFields)
            if (!doc.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                throw new ReportInputException($"experiment {file}: required field '{name}' is missing");
            else if (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()))
                throw new ReportInputException($"experiment {file}: field '{name}' is empty");
    }

    /// <summary>The values a run needs in range, named by their field (the CLI's options check the same).</summary>
    private void EnsureRanges(string file)
    {
        void Require(bool ok, string field, string rule, object value)
        {
            if (!ok) throw new ReportInputException($"experiment {file}: field '{field}' must be {rule}, got {value}");
        }
        Require(SeqLen >= 2, "seqlen", "at least 2", SeqLen);
        Require(Trials >= 1, "trials", "at least 1", Trials);
        Require(Ratio >= 0 && Ratio < 1, "ratio", "in [0, 1)", Ratio);
        Require(ProxyWindows >= 1, "proxy_windows", "at least 1", ProxyWindows);
        Require(Finalists >= 0, "finalists", "at least 0", Finalists);
        Require(PoolSize is null or >= 1, "pool_size", "at least 1", PoolSize!);
        Require(Search.Records.ObjectiveSettings.FitnessOf(Fitness) is not null, "fitness", Search.Records.ObjectiveSettings.FitnessNames, Fitness);
        FinalTokens(0);
        for (int i = 0; i < (Variants?.Count ?? 0); i++)
        {
            var v = Variants![i];
            Require(v.Fitness is null || Search.Records.ObjectiveSettings.FitnessOf(v.Fitness) is not null, $"variants[{i}].fitness",
                Search.Records.ObjectiveSettings.FitnessNames, v.Fitness!);
            Require(v.Trials is null or >= 1, $"variants[{i}].trials", "at least 1", v.Trials!);
        }
    }

    /// <summary>
    /// What a run needs beyond the fields' ranges: every arm's search space exists under
    /// <paramref name="root"/> (a report from the stored study needs none of them).
    /// </summary>
    public void EnsureRunnable(string root)
    {
        foreach (var (arm, i) in Expanded.Select((a, i) => (a, i)))
        {
            if (!File.Exists(PathUnder(root, arm.Space)))
            {
                string field = Variants is { Count: > 0 } v && v[i].Space is not null ? $"variants[{i}].space" : "space";
                throw new ReportInputException($"experiment {Source}: field '{field}' names {arm.Space}, which is not found under {root}");
            }
        }
    }

    /// <summary>A path the experiment gives, relative to <paramref name="root"/> unless rooted.</summary>
    public static string PathUnder(string root, string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(root, path));

    /// <summary>The repository root an experiment file's relative paths start from.</summary>
    public static string RootOf(string experimentFile)
    {
        string full = Path.GetFullPath(File.Exists(experimentFile) ? experimentFile : experimentFile + ".json");
        return Path.GetDirectoryName(Path.GetDirectoryName(full))!;
    }
}

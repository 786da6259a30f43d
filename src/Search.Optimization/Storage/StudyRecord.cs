using System.Text.Json;
using System.Text.Json.Nodes;

namespace Search.Optimization.Storage;

/// <summary>
/// What a study is about. Stored once when the study is created; reopening by name must describe
/// the same experiment, otherwise old and new trials would silently mix in one table.
/// </summary>
/// <param name="ModelHash">Content hash of the checkpoint (the path alone may point at new weights).</param>
/// <param name="SpaceJson">The search-space file's text itself, not its path.</param>
/// <param name="LayerCount">Layer count the space was bound to (from the model).</param>
/// <param name="ObjectiveDescription">Split, seqlen, token budgets, fitness (JSON): part of what must match on
/// resume, and what <c>export</c> rebuilds a trial's pruned model from.</param>
public sealed record StudyRecord(
    string Name,
    string ModelPath,
    string ModelHash,
    string SpaceJson,
    int? LayerCount,
    string SamplerName,
    int Seed,
    string ObjectiveDescription,
    string SoftwareVersion,
    int SchemaVersion = StudyRecord.CurrentSchemaVersion)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>
    /// Throws a one-line error naming the first field that differs. Model, space, layer count,
    /// sampler, seed and objective must match: any of them changing breaks "resume proposes what an
    /// uninterrupted run would" (or mixes trials scored differently). Path and software version may change.
    /// </summary>
    public void EnsureCompatibleWith(StudyRecord requested)
    {
        string? differs =
            ModelHash != requested.ModelHash ? $"model hash (stored {ModelHash}, given {requested.ModelHash})"
            : NormalizeJson(SpaceJson) != NormalizeJson(requested.SpaceJson) ? "search space JSON"
            : LayerCount != requested.LayerCount ? $"layer count (stored {LayerCount}, given {requested.LayerCount})"
            : SamplerName != requested.SamplerName ? $"sampler (stored {SamplerName}, given {requested.SamplerName})"
            : Seed != requested.Seed ? $"seed (stored {Seed}, given {requested.Seed})"
            : ObjectiveDescription != requested.ObjectiveDescription
                ? $"objective (stored '{ObjectiveDescription}', given '{requested.ObjectiveDescription}')"
            : null;
        if (differs is not null)
            throw new OptimizationInputException($"study '{Name}' already exists with a different {differs}; use a new study name");
    }

    /// <summary>
    /// Whitespace, indentation, comments and trailing commas are not a different space: the JSON is
    /// parsed as the space parser reads it (comments skipped) and compared in one canonical form.
    /// </summary>
    private static string NormalizeJson(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: SpaceReading)?.ToJsonString() ?? "";
        }
        catch (JsonException)
        {
            return json.Trim();
        }
    }

    private static readonly JsonDocumentOptions SpaceReading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
}

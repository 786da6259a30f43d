using System.Globalization;
using System.Text.Json.Nodes;
using Search.Optimization.Storage;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Stress;

/// <summary>
/// A study store as lines of text that two runs must share to count as "the same result": the
/// study record, the baseline queue, and per trial its number, state, params, value, scores,
/// error and attributes. Left out, because they differ between two correct runs: wall times
/// (<c>timings</c>, the <c>seconds</c> of final scores), start/end stamps, the worker id and
/// <c>reclaimed_from_worker</c> (a killed run's Running trial is re-run under a new worker).
/// </summary>
public static class StoreSnapshot
{
    private static readonly HashSet<string> VolatileAttrs = [TrialAttrs.Timings, UserAttrKeys.ReclaimedFrom];

    public static List<string> Of(string db, string study)
    {
        using var storage = new LiteDbStorage(db);
        var record = storage.FindStudy(study) ?? throw new StressException($"{db}: no study '{study}'");
        var lines = new List<string>
        {
            $"study {record.Name} model_hash={record.ModelHash} sampler={record.SamplerName} seed={record.Seed} layers={record.LayerCount}",
            $"objective {record.ObjectiveDescription}",
            $"space {record.SpaceJson.ReplaceLineEndings(" ")}",
        };
        lines.AddRange(storage.GetQueue(study).Select(q => $"queue {q.Index} {q.Tag} {Params(q.Params)}"));
        foreach (var t in storage.GetTrials(study))
        {
            lines.Add($"trial {t.Number} {t.State} value={R(t.Value)} params={Params(t.Params)} error={t.Error}");
            lines.AddRange(t.Scores.Select(s => $"trial {t.Number} score {s.Name}={R(s.Value)} {s.Split} {s.Tokens} {s.SeqLen} {s.Bos}"));
            lines.AddRange(t.UserAttrs.Where(a => !VolatileAttrs.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => $"trial {t.Number} attr {a.Key}={WithoutSeconds(a.Value)}"));
        }
        return lines;
    }

    /// <summary>The first differing line of two snapshots, or null when they are equal.</summary>
    public static string? FirstDifference(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            string? e = i < expected.Count ? expected[i] : null, a = i < actual.Count ? actual[i] : null;
            if (e != a) return $"line {i + 1}: expected\n    {e ?? "(end)"}\n  got\n    {a ?? "(end)"}";
        }
        return null;
    }

    private static string Params(IReadOnlyDictionary<string, ParamValue> p) =>
        string.Join(";", p.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static string R(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "null";

    /// <summary>JSON attribute values with every "seconds" property removed (wall time), other text as is.</summary>
    private static string WithoutSeconds(string value)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(value); }
        catch (System.Text.Json.JsonException) { return value; }
        Strip(node);
        return node?.ToJsonString() ?? "null";
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).Where(k => k.Equals("seconds", StringComparison.OrdinalIgnoreCase)).ToList()) o.Remove(key);
                foreach (var kv in o) Strip(kv.Value);
                break;
            case JsonArray a:
                foreach (var item in a) Strip(item);
                break;
        }
    }
}

using System.Text.Json;
using Search.Optimization.Trials;

namespace Search.Optimization.Spaces;

/// <summary>
/// Reads a search-space JSON file and validates it. Every error is one line of the form
/// "&lt;file&gt;: $.params[2].low: must be ≤ high (got 9 &gt; 3)", so a typo is found without a debugger.
/// Unknown fields are errors, not ignored, because a misspelt "hgih" would otherwise silently
/// search the default range.
/// </summary>
/// <remarks>
/// Format:
/// <code>
/// { "name": "...", "description": "...",
///   "params": [ {"name": "...", "kind": "categorical|int|float|simplex|layer_ratios|fixed", ...} ],
///   "baselines": [ {"tag": "...", "description": "...", "params": { "dim name": value } } ] }
/// </code>
/// categorical: choices (strings or numbers); int: low, high, step (1), log (false);
/// float: low, high, log; simplex: components (names); layer_ratios: module, levels {min, max, step}, target;
/// fixed: value (string, number or array of numbers).
/// </remarks>
public static class SearchSpaceParser
{
    private static readonly string[] KnownKinds = ["categorical", "int", "float", "simplex", "layer_ratios", "fixed"];

    public static SearchSpace Parse(string json, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new OptimizationInputException($"{sourceName}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}");
        }
        using (document)
        {
            var reader = new Reader(sourceName);
            var root = document.RootElement;
            reader.ExpectObject(root, "$", ["name", "description", "params", "baselines", "levels"]); // "levels": the level search's sizes (LevelSearchSettings in Search.Objective)
            var name = reader.OptionalString(root, "$", "name") ?? Path.GetFileNameWithoutExtension(sourceName);
            var dimensions = ParseDimensions(reader, reader.Required(root, "$", "params"), "$.params");
            var baselines = root.TryGetProperty("baselines", out var baselinesJson)
                ? ParseBaselines(reader, baselinesJson, "$.baselines", dimensions)
                : [];
            return new SearchSpace(name, dimensions, baselines, json);
        }
    }

    private static List<Dimension> ParseDimensions(Reader reader, JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0) throw reader.Error(path, "must be a non-empty array");
        var dimensions = new List<Dimension>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            var name = reader.RequiredString(item, at, "name");
            if (dimensions.Any(d => d.Name == name)) throw reader.Error($"{at}.name", $"duplicate dimension name '{name}'");
            var kind = reader.RequiredString(item, at, "kind");
            dimensions.Add(kind switch
            {
                "categorical" => ParseCategorical(reader, item, at, name),
                "int" => ParseInt(reader, item, at, name),
                "float" => ParseFloat(reader, item, at, name),
                "simplex" => ParseSimplex(reader, item, at, name),
                "layer_ratios" => ParseLayerRatios(reader, item, at, name),
                "fixed" => ParseFixed(reader, item, at, name),
                _ => throw reader.Error($"{at}.kind", $"unknown kind '{kind}'; expected one of {string.Join(", ", KnownKinds)}"),
            });
        }
        return dimensions;
    }

    private static CategoricalDimension ParseCategorical(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "choices"]);
        var choicesJson = reader.Required(item, at, "choices");
        if (choicesJson.ValueKind != JsonValueKind.Array || choicesJson.GetArrayLength() == 0)
            throw reader.Error($"{at}.choices", "must be a non-empty array");
        var choices = new List<ParamValue>();
        var i = 0;
        foreach (var choice in choicesJson.EnumerateArray())
        {
            var value = reader.Scalar(choice, $"{at}.choices[{i}]");
            if (choices.Contains(value)) throw reader.Error($"{at}.choices[{i}]", $"duplicate choice {value}");
            choices.Add(value);
            i++;
        }
        return new CategoricalDimension(name, choices);
    }

    private static IntDimension ParseInt(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "low", "high", "step", "log"]);
        var low = reader.RequiredLong(item, at, "low");
        var high = reader.RequiredLong(item, at, "high");
        var step = reader.OptionalLong(item, at, "step") ?? 1;
        var log = reader.OptionalBool(item, at, "log") ?? false;
        if (low > high) throw reader.Error($"{at}.low", $"must be <= high (got {low} > {high})");
        if (step < 1) throw reader.Error($"{at}.step", $"must be >= 1 (got {step})");
        if (log && step != 1) throw reader.Error($"{at}.step", "must be 1 when log is true");
        if (log && low < 1) throw reader.Error($"{at}.low", $"must be >= 1 when log is true (got {low})");
        return new IntDimension(name, low, high, step, log);
    }

    private static FloatDimension ParseFloat(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "low", "high", "log"]);
        var low = reader.RequiredDouble(item, at, "low");
        var high = reader.RequiredDouble(item, at, "high");
        var log = reader.OptionalBool(item, at, "log") ?? false;
        if (low > high) throw reader.Error($"{at}.low", $"must be <= high (got {low} > {high})");
        if (log && low <= 0) throw reader.Error($"{at}.low", $"must be > 0 when log is true (got {low})");
        return new FloatDimension(name, low, high, log);
    }

    private static SimplexDimension ParseSimplex(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "components"]);
        var componentsJson = reader.Required(item, at, "components");
        if (componentsJson.ValueKind != JsonValueKind.Array || componentsJson.GetArrayLength() < 2)
            throw reader.Error($"{at}.components", "must be an array of at least two names");
        var components = new List<string>();
        var i = 0;
        foreach (var component in componentsJson.EnumerateArray())
        {
            var componentPath = $"{at}.components[{i++}]";
            if (component.ValueKind != JsonValueKind.String) throw reader.Error(componentPath, "must be a string");
            var text = component.GetString()!;
            if (components.Contains(text)) throw reader.Error(componentPath, $"duplicate component '{text}'");
            components.Add(text);
        }
        return new SimplexDimension(name, components);
    }

    private static LayerRatiosDimension ParseLayerRatios(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "module", "levels", "target"]);
        var module = reader.RequiredString(item, at, "module");
        var levels = reader.Required(item, at, "levels");
        var levelsPath = $"{at}.levels";
        reader.ExpectObject(levels, levelsPath, ["min", "max", "step"]);
        var min = reader.RequiredDouble(levels, levelsPath, "min");
        var max = reader.RequiredDouble(levels, levelsPath, "max");
        var step = reader.RequiredDouble(levels, levelsPath, "step");
        var target = reader.RequiredDouble(item, at, "target");
        if (step <= 0) throw reader.Error($"{levelsPath}.step", $"must be > 0 (got {step})");
        // max may be 1: the level that skips a whole block (depth pruning).
        if (min < 0 || min >= max || max > 1) throw reader.Error($"{levelsPath}.min", $"need 0 <= min < max <= 1 (got min {min}, max {max})");
        if (!OnGrid(max - min, step)) throw reader.Error($"{levelsPath}.max", $"max - min must be a multiple of step {step}");
        if (target < min || target > max) throw reader.Error($"{at}.target", $"must lie in [min, max] = [{min}, {max}] (got {target})");
        if (!OnGrid(target - min, step)) throw reader.Error($"{at}.target", $"must be min plus a multiple of step {step} (got {target})");
        return new LayerRatiosDimension(name, module, min, max, step, target);
    }

    private static FixedDimension ParseFixed(Reader reader, JsonElement item, string at, string name)
    {
        reader.ExpectObject(item, at, ["name", "kind", "value"]);
        return new FixedDimension(name, reader.Value(reader.Required(item, at, "value"), $"{at}.value"));
    }

    private static List<BaselineConfig> ParseBaselines(Reader reader, JsonElement array, string path, List<Dimension> dimensions)
    {
        if (array.ValueKind != JsonValueKind.Array) throw reader.Error(path, "must be an array");
        var baselines = new List<BaselineConfig>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            reader.ExpectObject(item, at, ["tag", "description", "params"]);
            var tag = reader.RequiredString(item, at, "tag");
            if (baselines.Any(b => b.Tag == tag)) throw reader.Error($"{at}.tag", $"duplicate tag '{tag}'");
            var paramsJson = reader.Required(item, at, "params");
            if (paramsJson.ValueKind != JsonValueKind.Object) throw reader.Error($"{at}.params", "must be an object");
            var values = new List<KeyValuePair<string, ParamValue>>();
            foreach (var property in paramsJson.EnumerateObject())
            {
                var valuePath = $"{at}.params.{property.Name}";
                var dimension = dimensions.FirstOrDefault(d => d.Name == property.Name)
                    ?? throw reader.Error(valuePath, $"no dimension named '{property.Name}'");
                var value = reader.Value(property.Value, valuePath);
                CheckBaselineValue(reader, dimension, value, valuePath);
                values.Add(KeyValuePair.Create(property.Name, value));
            }
            foreach (var dimension in dimensions.Where(d => d is not (FixedDimension or LayerRatiosDimension)))
                if (values.All(v => v.Key != dimension.Name)) throw reader.Error($"{at}.params.{dimension.Name}", "missing (only fixed and layer_ratios dimensions may be omitted)");
            baselines.Add(new BaselineConfig(tag, reader.OptionalString(item, at, "description") ?? "", ParamSet.Freeze(values)));
        }
        return baselines;
    }

    /// <summary>Baselines may leave the searched ranges, but the value must have the dimension's type.</summary>
    private static void CheckBaselineValue(Reader reader, Dimension dimension, ParamValue value, string path)
    {
        var numeric = value.Kind is ParamValueKind.Real or ParamValueKind.Integer;
        var problem = dimension switch
        {
            IntDimension when value.Kind != ParamValueKind.Integer => "must be an integer",
            FloatDimension when !numeric => "must be a number",
            CategoricalDimension when value.Kind == ParamValueKind.Vector => "must be a string or number",
            SimplexDimension s when value.Kind != ParamValueKind.Vector || value.AsVector.Count != s.Components.Count
                || value.AsVector.Any(w => w < 0) || Math.Abs(value.AsVector.Sum() - 1.0) > 1e-6
                => $"must be {s.Components.Count} non-negative weights summing to 1 ({string.Join(", ", s.Components)})",
            LayerRatiosDimension when !(numeric || value.Kind == ParamValueKind.Vector) => "must be a ratio or an array of per-layer ratios",
            _ => null,
        };
        if (problem is not null) throw reader.Error(path, problem);
    }

    private static bool OnGrid(double distance, double step) => Math.Abs(distance / step - Math.Round(distance / step)) < 1e-6;

    /// <summary>Typed field access that knows the JSON path it is reading, for error messages.</summary>
    private sealed class Reader(string sourceName)
    {
        public OptimizationInputException Error(string path, string message) => new($"{sourceName}: {path}: {message}");

        public void ExpectObject(JsonElement element, string path, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object) throw Error(path, "must be an object");
            foreach (var property in element.EnumerateObject())
                if (!allowed.Contains(property.Name))
                    throw Error($"{path}.{property.Name}", $"unknown field; expected one of {string.Join(", ", allowed)}");
        }

        public JsonElement Required(JsonElement element, string path, string field) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out var value) ? value : throw Error($"{path}.{field}", "required");

        public string RequiredString(JsonElement element, string path, string field)
        {
            var value = Required(element, path, field);
            return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw Error($"{path}.{field}", "must be a non-empty string");
        }

        public string? OptionalString(JsonElement element, string path, string field) =>
            element.TryGetProperty(field, out _) ? RequiredString(element, path, field) : null;

        public double RequiredDouble(JsonElement element, string path, string field)
        {
            var value = Required(element, path, field);
            return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
                ? number
                : throw Error($"{path}.{field}", "must be a finite number");
        }

        public long RequiredLong(JsonElement element, string path, string field)
        {
            var value = Required(element, path, field);
            return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
                ? number
                : throw Error($"{path}.{field}", "must be an integer");
        }

        public long? OptionalLong(JsonElement element, string path, string field) =>
            element.TryGetProperty(field, out _) ? RequiredLong(element, path, field) : null;

        public bool? OptionalBool(JsonElement element, string path, string field)
        {
            if (!element.TryGetProperty(field, out var value)) return null;
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error($"{path}.{field}", "must be true or false"),
            };
        }

        public ParamValue Scalar(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.String => ParamValue.Of(element.GetString()!),
            JsonValueKind.Number when element.TryGetInt64(out var integer) => ParamValue.Of(integer),
            JsonValueKind.Number => ParamValue.Of(element.GetDouble()),
            _ => throw Error(path, "must be a string or a number"),
        };

        public ParamValue Value(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Array) return Scalar(element, path);
            var values = new List<double>();
            var i = 0;
            foreach (var x in element.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number) throw Error($"{path}[{i}]", "must be a number");
                values.Add(x.GetDouble());
                i++;
            }
            return ParamValue.Of(values);
        }
    }
}

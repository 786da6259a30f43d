using System.Text.Json;

namespace Search.Model.Tokenizers;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> of the Llama-3 / GPT-2 kind (byte-level BPE):
/// Microsoft.ML.Tokenizers 2.0.1 has no loader for this format. Anything we would silently get
/// wrong (a normalizer, a prefix space, other pre-tokenizers) is rejected instead.
/// </summary>
public static class HfTokenizerJson
{
    /// <summary>GPT-2's pre-tokenizer regex, used by a ByteLevel pre-tokenizer with use_regex = true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    // Tried in order when no config names the BOS/EOS token.
    private static readonly string[] KnownBosTokens = ["<|begin_of_text|>", "<s>", "<|startoftext|>"];
    private static readonly string[] KnownEosTokens = ["<|end_of_text|>", "</s>", "<|endoftext|>"];

    /// <summary>
    /// Parses <paramref name="tokenizerJson"/>; <paramref name="tokenizerConfigJson"/>
    /// (tokenizer_config.json) and <paramref name="configJson"/> (config.json) may name BOS/EOS.
    /// Throws <see cref="FormatException"/> for a malformed file and
    /// <see cref="NotSupportedException"/> for a valid one we cannot reproduce.
    /// </summary>
    public static HfTokenizerDefinition Parse(string tokenizerJson, string? tokenizerConfigJson = null, string? configJson = null)
    {
        try
        {
            using var doc = JsonDocument.Parse(tokenizerJson);
            return Parse(doc.RootElement, tokenizerConfigJson, configJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement accessors throw this when a value has the wrong JSON kind.
            throw new FormatException($"unexpected JSON structure: {e.Message}", e);
        }
    }

    private static HfTokenizerDefinition Parse(JsonElement root, string? tokenizerConfigJson, string? configJson)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("no \"model\" object");
        }

        string type = model.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "" : "";
        if (type != "BPE")
        {
            throw new NotSupportedException($"model.type '{type}' is not BPE");
        }

        if (root.TryGetProperty("normalizer", out JsonElement normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            throw new NotSupportedException("a normalizer is not supported (Llama-3 style files have none)");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in RequireProperty(model, "vocab", JsonValueKind.Object).EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.GetInt32();
        }

        var merges = new List<string>();
        foreach (JsonElement merge in RequireProperty(model, "merges", JsonValueKind.Array).EnumerateArray())
        {
            merges.Add(ReadMerge(merge));
        }

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out JsonElement addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement token in addedTokens.EnumerateArray())
            {
                added[RequireProperty(token, "content", JsonValueKind.String).GetString()!] = RequireProperty(token, "id", JsonValueKind.Number).GetInt32();
            }
        }

        string pattern = ReadSplitPattern(root.TryGetProperty("pre_tokenizer", out JsonElement pre) ? pre : default);
        bool ignoreMerges = model.TryGetProperty("ignore_merges", out JsonElement im) && im.ValueKind == JsonValueKind.True;

        int? bos = FindSpecialId(added, vocab, tokenizerConfigJson, "bos_token", configJson, "bos_token_id", KnownBosTokens)
            ?? throw new FormatException("no BOS token: none named in tokenizer_config.json/config.json and none of " + string.Join(", ", KnownBosTokens) + " in added_tokens");
        int? eos = FindSpecialId(added, vocab, tokenizerConfigJson, "eos_token", configJson, "eos_token_id", KnownEosTokens);
        return new HfTokenizerDefinition(vocab, merges, added, pattern, ignoreMerges, bos.Value, eos);
    }

    private static string ReadMerge(JsonElement merge)
    {
        (string a, string b) = merge.ValueKind switch
        {
            JsonValueKind.String => SplitMergeString(merge.GetString()!),
            JsonValueKind.Array when merge.GetArrayLength() == 2 => (merge[0].GetString()!, merge[1].GetString()!),
            _ => throw new FormatException($"merge {merge} is neither \"a b\" nor [a, b]"),
        };

        // The library takes merges as "a b" lines; byte-level pieces never hold a real space (it is Ġ).
        if (a.Contains(' ') || b.Contains(' '))
        {
            throw new NotSupportedException($"merge ({a}, {b}) contains a space");
        }

        return a + " " + b;
    }

    private static (string, string) SplitMergeString(string merge)
    {
        int space = merge.IndexOf(' ');
        if (space <= 0 || space == merge.Length - 1 || merge.IndexOf(' ', space + 1) >= 0)
        {
            throw new FormatException($"merge '{merge}' is not two space-separated pieces");
        }

        return (merge[..space], merge[(space + 1)..]);
    }

    /// <summary>
    /// Accepts a ByteLevel pre-tokenizer (GPT-2 regex when use_regex) or a Sequence of one
    /// isolating Split regex followed by ByteLevel without regex (Llama 3).
    /// </summary>
    private static string ReadSplitPattern(JsonElement pre)
    {
        if (pre.ValueKind != JsonValueKind.Object)
        {
            throw new NotSupportedException("no pre_tokenizer: only byte-level BPE is supported");
        }

        List<JsonElement> steps = TypeOf(pre) == "Sequence"
            ? [.. RequireProperty(pre, "pretokenizers", JsonValueKind.Array).EnumerateArray()]
            : [pre];

        string? pattern = null;
        bool byteLevel = false;
        foreach (JsonElement step in steps)
        {
            switch (TypeOf(step))
            {
                case "Split" when pattern is null && !byteLevel:
                    string behavior = step.TryGetProperty("behavior", out JsonElement be) ? be.GetString() ?? "" : "";
                    bool invert = step.TryGetProperty("invert", out JsonElement inv) && inv.ValueKind == JsonValueKind.True;
                    if (behavior != "Isolated" || invert)
                    {
                        throw new NotSupportedException($"Split behavior '{behavior}' invert={invert} is not supported (Isolated only)");
                    }

                    JsonElement p = RequireProperty(step, "pattern", JsonValueKind.Object);
                    pattern = p.TryGetProperty("Regex", out JsonElement regex)
                        ? regex.GetString()
                        : System.Text.RegularExpressions.Regex.Escape(RequireProperty(p, "String", JsonValueKind.String).GetString()!);
                    break;
                case "ByteLevel" when !byteLevel:
                    byteLevel = true;
                    if (step.TryGetProperty("add_prefix_space", out JsonElement aps) && aps.ValueKind == JsonValueKind.True)
                    {
                        throw new NotSupportedException("ByteLevel add_prefix_space = true is not supported");
                    }

                    bool useRegex = !step.TryGetProperty("use_regex", out JsonElement ur) || ur.ValueKind != JsonValueKind.False;
                    if (useRegex)
                    {
                        if (pattern is not null)
                        {
                            throw new NotSupportedException("a Split followed by a regex ByteLevel is not supported");
                        }

                        pattern = Gpt2Pattern;
                    }

                    break;
                default:
                    throw new NotSupportedException($"pre_tokenizer step '{TypeOf(step)}' is not supported here");
            }
        }

        if (!byteLevel || pattern is null)
        {
            throw new NotSupportedException("pre_tokenizer is not byte-level BPE with a split regex");
        }

        return pattern;
    }

    private static int? FindSpecialId(
        Dictionary<string, int> added,
        Dictionary<string, int> vocab,
        string? tokenizerConfigJson,
        string tokenKey,
        string? configJson,
        string idKey,
        string[] knownNames)
    {
        if (tokenizerConfigJson is not null)
        {
            using var cfg = JsonDocument.Parse(tokenizerConfigJson);
            if (cfg.RootElement.TryGetProperty(tokenKey, out JsonElement tok))
            {
                // Either "<s>" or an AddedToken object {"content": "<s>", ...}.
                string? name = tok.ValueKind switch
                {
                    JsonValueKind.String => tok.GetString(),
                    JsonValueKind.Object when tok.TryGetProperty("content", out JsonElement c) => c.GetString(),
                    _ => null,
                };
                if (name is not null && (added.TryGetValue(name, out int id) || vocab.TryGetValue(name, out id)))
                {
                    return id;
                }
            }
        }

        if (configJson is not null)
        {
            using var cfg = JsonDocument.Parse(configJson);
            if (cfg.RootElement.TryGetProperty(idKey, out JsonElement idElement))
            {
                // Llama 3.1 lists several EOS ids; the first is the end-of-text one.
                if (idElement.ValueKind == JsonValueKind.Number)
                {
                    return idElement.GetInt32();
                }

                if (idElement.ValueKind == JsonValueKind.Array && idElement.GetArrayLength() > 0)
                {
                    return idElement[0].GetInt32();
                }
            }
        }

        foreach (string name in knownNames)
        {
            if (added.TryGetValue(name, out int id))
            {
                return id;
            }
        }

        return null;
    }

    private static string TypeOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "" : "";

    private static JsonElement RequireProperty(JsonElement parent, string name, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out JsonElement value) || value.ValueKind != kind)
        {
            throw new FormatException($"missing or malformed \"{name}\" ({kind} expected)");
        }

        return value;
    }
}

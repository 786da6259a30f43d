using LiteDB;
using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// Hand-written document mapping (no reflection mapper): the on-disk shape is part of the schema
/// version, so it must not change when a C# property is renamed. Times are stored as UTC ticks
/// because LiteDB's DateTime keeps milliseconds only and converts to local time on read.
/// Params are an array of {n,k,v} because document fields have no guaranteed order.
/// </summary>
internal static class BsonConversions
{
    public static BsonArray ParamsToBson(IReadOnlyDictionary<string, ParamValue> parameters)
    {
        var array = new BsonArray();
        foreach (var (name, value) in parameters)
        {
            BsonValue raw = value.Kind switch
            {
                ParamValueKind.Real => new BsonValue(value.AsReal),
                ParamValueKind.Integer => new BsonValue(value.AsInteger),
                ParamValueKind.Text => new BsonValue(value.AsText),
                _ => new BsonArray(value.AsVector.Select(x => new BsonValue(x))),
            };
            array.Add(new BsonDocument { ["n"] = name, ["k"] = value.Kind.ToString(), ["v"] = raw });
        }
        return array;
    }

    public static IReadOnlyDictionary<string, ParamValue> ParamsFromBson(BsonArray array) =>
        ParamSet.Freeze(array.Select(item =>
        {
            var doc = item.AsDocument;
            var raw = doc["v"];
            var value = Enum.Parse<ParamValueKind>(doc["k"].AsString) switch
            {
                ParamValueKind.Real => ParamValue.Of(raw.AsDouble),
                ParamValueKind.Integer => ParamValue.Of(raw.AsInt64),
                ParamValueKind.Text => ParamValue.Of(raw.AsString),
                _ => ParamValue.Of(raw.AsArray.Select(x => x.AsDouble).ToArray()),
            };
            return KeyValuePair.Create(doc["n"].AsString, value);
        }));

    public static BsonDocument TrialToBson(string studyName, FrozenTrial trial)
    {
        var attrs = new BsonDocument();
        foreach (var (key, value) in trial.UserAttrs) attrs[key] = value;
        return new BsonDocument
        {
            ["_id"] = TrialId(studyName, trial.Number),
            ["study"] = studyName,
            ["number"] = trial.Number,
            ["state"] = trial.State.ToString(),
            ["params"] = ParamsToBson(trial.Params),
            ["value"] = trial.Value is { } v ? new BsonValue(v) : BsonValue.Null,
            ["scores"] = new BsonArray(trial.Scores.Select(s => (BsonValue)new BsonDocument
            {
                ["name"] = s.Name, ["value"] = s.Value, ["split"] = s.Split,
                ["tokens"] = s.Tokens, ["seqlen"] = s.SeqLen, ["bos"] = s.Bos,
            })),
            // Attr keys may contain characters LiteDB field names reject, so store pairs.
            ["attrs"] = new BsonArray(trial.UserAttrs.Select(a => (BsonValue)new BsonDocument { ["k"] = a.Key, ["v"] = a.Value })),
            ["error"] = trial.Error is null ? BsonValue.Null : new BsonValue(trial.Error),
            ["start"] = trial.StartUtc.Ticks,
            ["end"] = trial.EndUtc is { } end ? new BsonValue(end.Ticks) : BsonValue.Null,
            ["seed"] = trial.Seed,
            ["worker"] = trial.Worker,
            ["schema"] = trial.SchemaVersion,
            // Absent in files written before heartbeats; read back as null.
            ["beat"] = trial.HeartbeatUtc is { } beat ? new BsonValue(beat.Ticks) : BsonValue.Null,
        };
    }

    public static FrozenTrial TrialFromBson(BsonDocument doc) => new(
        Number: doc["number"].AsInt32,
        State: Enum.Parse<TrialState>(doc["state"].AsString),
        Params: ParamsFromBson(doc["params"].AsArray),
        Value: doc["value"].IsNull ? null : doc["value"].AsDouble,
        Scores: doc["scores"].AsArray.Select(x => x.AsDocument).Select(s => new TrialScore(
            s["name"].AsString, s["value"].AsDouble, s["split"].AsString, s["tokens"].AsInt64, s["seqlen"].AsInt32, s["bos"].AsString)).ToArray(),
        UserAttrs: doc["attrs"].AsArray.Select(x => x.AsDocument).ToDictionary(a => a["k"].AsString, a => a["v"].AsString, StringComparer.Ordinal),
        Error: doc["error"].IsNull ? null : doc["error"].AsString,
        StartUtc: new DateTime(doc["start"].AsInt64, DateTimeKind.Utc),
        EndUtc: doc["end"].IsNull ? null : new DateTime(doc["end"].AsInt64, DateTimeKind.Utc),
        Seed: doc["seed"].AsInt32,
        Worker: doc["worker"].AsString,
        SchemaVersion: doc["schema"].AsInt32,
        HeartbeatUtc: doc["beat"].IsNull ? null : new DateTime(doc["beat"].AsInt64, DateTimeKind.Utc));

    public static BsonDocument StudyToBson(StudyRecord record) => new()
    {
        ["_id"] = record.Name,
        ["model_path"] = record.ModelPath,
        ["model_hash"] = record.ModelHash,
        ["space_json"] = record.SpaceJson,
        ["layer_count"] = record.LayerCount is { } layers ? new BsonValue(layers) : BsonValue.Null,
        ["sampler"] = record.SamplerName,
        ["seed"] = record.Seed,
        ["objective"] = record.ObjectiveDescription,
        ["software_version"] = record.SoftwareVersion,
        ["schema"] = record.SchemaVersion,
    };

    public static StudyRecord StudyFromBson(BsonDocument doc) => new(
        doc["_id"].AsString, doc["model_path"].AsString, doc["model_hash"].AsString, doc["space_json"].AsString,
        doc["layer_count"].IsNull ? null : doc["layer_count"].AsInt32, doc["sampler"].AsString, doc["seed"].AsInt32,
        doc["objective"].AsString, doc["software_version"].AsString, doc["schema"].AsInt32);

    public static BsonDocument QueuedToBson(string studyName, QueuedConfig config) => new()
    {
        ["_id"] = TrialId(studyName, config.Index),
        ["study"] = studyName,
        ["index"] = config.Index,
        ["tag"] = config.Tag,
        ["params"] = ParamsToBson(config.Params),
        ["schema"] = LiteDbStorage.CurrentFileSchemaVersion,
    };

    public static QueuedConfig QueuedFromBson(BsonDocument doc) =>
        new(doc["index"].AsInt32, doc["tag"].AsString, ParamsFromBson(doc["params"].AsArray));

    public static BsonDocument TaskToBson(string studyName, StudyTask task) => new()
    {
        ["_id"] = StudyKey(studyName, task.Name),
        ["study"] = studyName,
        ["name"] = task.Name,
        ["state"] = task.State.ToString(),
        ["worker"] = task.Worker,
        ["claimed"] = task.ClaimedUtc.Ticks,
        ["beat"] = task.HeartbeatUtc.Ticks,
        ["completed"] = task.CompletedUtc is { } done ? new BsonValue(done.Ticks) : BsonValue.Null,
    };

    public static StudyTask TaskFromBson(BsonDocument doc) => new(
        doc["name"].AsString,
        Enum.Parse<StudyTaskState>(doc["state"].AsString),
        doc["worker"].AsString,
        new DateTime(doc["claimed"].AsInt64, DateTimeKind.Utc),
        new DateTime(doc["beat"].AsInt64, DateTimeKind.Utc),
        doc["completed"].IsNull ? null : new DateTime(doc["completed"].AsInt64, DateTimeKind.Utc));

    /// <summary>Primary key that makes "one trial per number per study" a uniqueness rule of the file itself.</summary>
    public static string TrialId(string studyName, int number) =>
        StudyKey(studyName, number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Id of a document that belongs to one study (unit separator: cannot occur in a typed name).</summary>
    public static string StudyKey(string studyName, string key) => studyName + "\u001f" + key;
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteDB;
using Search.Training.Embedded;

namespace Search.Tests.Cli;

/// <summary>
/// One bad-input case's throwaway folder: copies of the embedded model, the fixture's study store and
/// an experiment file, damaged the way the case says. Nothing outside the folder is ever changed.
/// </summary>
internal sealed class BadInputWorkspace(string dir, BadInputFixture fixture)
{
    public string Dir { get; } = dir;

    /// <summary>The copied store, when the case made one (its bytes are compared after the run).</summary>
    public string? StorePath { get; private set; }

    public string Path(string relative) => System.IO.Path.Combine(Dir, relative);

    /// <summary>A copy of the embedded model at <c>m/</c>, with <paramref name="config"/> applied to its config.json.</summary>
    public string Model(Action<JsonObject>? config = null)
    {
        string to = Path("m");
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(EmbeddedDefault.Ensure().ModelDir)) File.Copy(f, System.IO.Path.Combine(to, System.IO.Path.GetFileName(f)));
        if (config is not null)
        {
            string path = System.IO.Path.Combine(to, "config.json");
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            config(root);
            File.WriteAllText(path, root.ToJsonString());
        }
        return to;
    }

    public string Weights => Path("m/model.safetensors");

    /// <summary>A copy of the fixture's finished study (study 's').</summary>
    public string Store()
    {
        StorePath = Path("study.db");
        File.Copy(fixture.StudyDb, StorePath);
        return StorePath;
    }

    /// <summary>A file at the store's place that is not a LiteDB file (someone's notes).</summary>
    public string ForeignStore(string contents)
    {
        StorePath = Path("study.db");
        File.WriteAllText(StorePath, contents);
        return StorePath;
    }

    /// <summary>The store copy with one trial document edited by hand (LiteDB opened directly, as a user's tool would).</summary>
    public string StoreWithTrial(int number, Action<BsonDocument> edit) => EditStore(db =>
    {
        var trials = db.GetCollection("trials");
        var doc = trials.FindById("s\u001f" + number) ?? throw new InvalidOperationException($"no trial {number}");
        edit(doc);
        trials.Update(doc);
    });

    /// <summary>The store copy with a second document for trial <paramref name="number"/> (a trial copied by hand under another id).</summary>
    public string StoreWithDuplicateTrial(int number) => EditStore(db =>
    {
        var trials = db.GetCollection("trials");
        var doc = trials.FindById("s\u001f" + number) ?? throw new InvalidOperationException($"no trial {number}");
        var copy = new BsonDocument();
        foreach (var (key, value) in doc) copy[key] = value;
        copy["_id"] = "s\u001f" + number + "-copy";
        trials.Insert(copy);
    });

    /// <summary>The store copy with every trial document of study 's' edited by hand.</summary>
    public string StoreWithEveryTrial(Action<BsonDocument> edit) => EditStore(db =>
    {
        var trials = db.GetCollection("trials");
        foreach (var doc in trials.Find(Query.EQ("study", "s")).ToList())
        {
            edit(doc);
            trials.Update(doc);
        }
    });

    /// <summary>search-spaces/quick.json read as the parser reads it (comments skipped), edited, written to <c>space.json</c>.</summary>
    public string Space(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(CliRunner.Space("quick.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        edit(root);
        return Text("space.json", root.ToJsonString());
    }

    public string StoreWithStudy(Action<BsonDocument> edit) => EditStore(db =>
    {
        var studies = db.GetCollection("studies");
        var doc = studies.FindById("s");
        edit(doc);
        studies.Update(doc);
    });

    private string EditStore(Action<LiteDatabase> edit)
    {
        string path = Store();
        using (var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
            edit(db);
        return path;
    }

    /// <summary>The store copy cut to half its length (a copy interrupted, a disk that filled).</summary>
    public string HalfStore()
    {
        string path = Store();
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.SetLength(f.Length / 2);
        return path;
    }

    /// <summary>A copy of experiments/embedded-20.json under <c>experiments/</c>, edited.</summary>
    public string Experiment(Action<JsonObject> edit)
    {
        string source = System.IO.Path.Combine(CliRunner.RepoRoot, "experiments", "embedded-20.json");
        var root = JsonNode.Parse(File.ReadAllText(source), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        edit(root);
        string path = Path("experiments/x.json");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    public string Text(string relative, string contents)
    {
        string path = Path(relative);
        File.WriteAllText(path, contents);
        return path;
    }
}

/// <summary>Edits a safetensors file in place: a tensor's header dtype (same length) or its values.</summary>
internal static class SafetensorsEdit
{
    public static void SetDtype(string path, string tensor, string dtype)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        header[tensor]!["dtype"] = dtype;
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        if (json.Length > headerLength) throw new InvalidOperationException("the edited header does not fit");
        Array.Fill(bytes, (byte)' ', 8, headerLength);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Every float32 of <paramref name="tensor"/> set to <paramref name="value"/> (NaN, 1e38, …).</summary>
    public static void FillF32(string path, string tensor, float value)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var offsets = header.RootElement.GetProperty(tensor).GetProperty("data_offsets");
        long begin = 8 + headerLength + offsets[0].GetInt64(), end = 8 + headerLength + offsets[1].GetInt64();
        for (long i = begin; i < end; i += 4) BitConverter.TryWriteBytes(bytes.AsSpan((int)i, 4), value);
        File.WriteAllBytes(path, bytes);
    }
}

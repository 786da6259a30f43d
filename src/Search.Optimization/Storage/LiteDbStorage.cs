using LiteDB;
using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// One LiteDB file holding many studies.
/// <para>
/// Opened with <c>Connection=shared</c>: docs/toolchain.md 9 saw direct mode from two processes lose data
/// and corrupt a file, and the architecture wants one worker process per GPU on one file. Shared
/// mode serializes every operation (and every explicit transaction) behind a system-wide named
/// mutex and reopens the file each time; that costs a few ms per call, which is noise next to a
/// trial that prunes and evaluates a model. Writes that belong together (claiming a trial number,
/// enqueuing baselines, finishing a trial) run inside one transaction.
/// </para>
/// </summary>
public sealed class LiteDbStorage : ITrialStorage
{
    public const int CurrentFileSchemaVersion = 1;

    private const string StudiesCollection = "studies";
    private const string TrialsCollection = "trials";
    private const string QueueCollection = "queue";
    private const string MetaCollection = "meta";

    private readonly LiteDatabase _db;

    public LiteDbStorage(string path)
    {
        FilePath = Path.GetFullPath(path);
        EnsureLooksLikeLiteDb(FilePath);
        _db = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Shared });
        try
        {
            EnsureSchema();
        }
        catch (Exception e)
        {
            _db.Dispose();
            // LiteDB reports a damaged file in several ways depending on which page it trips over.
            if (e is LiteException or InvalidCastException or IOException or ArgumentException or InvalidOperationException)
                throw new OptimizationInputException($"cannot open study store '{FilePath}': not a readable LiteDB database ({FirstLine(e.Message)})", e);
            throw;
        }
    }

    public string FilePath { get; }

    public StudyRecord CreateOrOpenStudy(StudyRecord requested) => InTransaction(() =>
    {
        var studies = _db.GetCollection(StudiesCollection);
        var existing = studies.FindById(requested.Name);
        if (existing is null)
        {
            studies.Insert(BsonConversions.StudyToBson(requested));
            return requested;
        }
        var stored = BsonConversions.StudyFromBson(existing);
        stored.EnsureCompatibleWith(requested);
        return stored;
    });

    public StudyRecord? FindStudy(string name)
    {
        var doc = _db.GetCollection(StudiesCollection).FindById(name);
        return doc is null ? null : BsonConversions.StudyFromBson(doc);
    }

    public IReadOnlyList<StudyRecord> GetStudies() =>
        _db.GetCollection(StudiesCollection).FindAll().Select(BsonConversions.StudyFromBson)
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();

    public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs) => InTransaction(() =>
    {
        EnsureStudy(studyName);
        var queue = _db.GetCollection(QueueCollection);
        var existing = GetQueue(studyName);
        var tags = existing.Select(q => q.Tag).ToHashSet(StringComparer.Ordinal);
        var next = existing.Count;
        var added = 0;
        foreach (var config in configs)
        {
            if (!tags.Add(config.Tag)) continue;
            queue.Insert(BsonConversions.QueuedToBson(studyName, new QueuedConfig(next++, config.Tag, config.Params)));
            added++;
        }
        return added;
    });

    public IReadOnlyList<QueuedConfig> GetQueue(string studyName) =>
        _db.GetCollection(QueueCollection).Find(Query.EQ("study", studyName))
            .Select(BsonConversions.QueuedFromBson).OrderBy(q => q.Index).ToArray();

    public bool TryCreateTrial(string studyName, FrozenTrial trial)
    {
        if (trial.State != TrialState.Running) throw new ArgumentException("new trials start Running", nameof(trial));
        return InTransaction(() =>
        {
            EnsureStudy(studyName);
            var trials = _db.GetCollection(TrialsCollection);
            if (trials.FindById(BsonConversions.TrialId(studyName, trial.Number)) is not null) return false;
            trials.Insert(BsonConversions.TrialToBson(studyName, trial));
            return true;
        });
    }

    public bool TryReassignRunningTrial(string studyName, int number, string expectedWorker, string newWorker) => InTransaction(() =>
    {
        var trial = Get(studyName, number);
        if (trial.State != TrialState.Running || trial.Worker != expectedWorker) return false;
        Put(studyName, trial with { Worker = newWorker });
        return true;
    });

    public void SetTrialUserAttr(string studyName, int number, string key, string value) => InTransaction(() =>
    {
        Put(studyName, TrialTransitions.WithUserAttr(Get(studyName, number), key, value, studyName));
        return true;
    });

    public FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc) => InTransaction(() =>
    {
        var finished = TrialTransitions.Finish(Get(studyName, number), outcome, endUtc, studyName);
        Put(studyName, finished);
        return finished;
    });

    public FrozenTrial GetTrial(string studyName, int number) => Get(studyName, number);

    public IReadOnlyList<FrozenTrial> GetTrials(string studyName)
    {
        EnsureStudy(studyName);
        return _db.GetCollection(TrialsCollection).Find(Query.EQ("study", studyName))
            .Select(BsonConversions.TrialFromBson).OrderBy(t => t.Number).ToArray();
    }

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// Writes the schema marker on first use (inside a transaction: two workers may create the file
    /// at the same moment) or refuses a file written by a newer schema.
    /// </summary>
    private void EnsureSchema()
    {
        var version = InTransaction(() =>
        {
            var meta = _db.GetCollection(MetaCollection);
            if (meta.FindById("schema") is { } schema) return schema["version"].AsInt32;
            meta.Insert(new BsonDocument { ["_id"] = "schema", ["version"] = CurrentFileSchemaVersion });
            return CurrentFileSchemaVersion;
        });
        if (version > CurrentFileSchemaVersion)
            throw new OptimizationInputException(
                $"study store '{FilePath}' has schema version {version}; this build reads up to {CurrentFileSchemaVersion}; use a newer PruneSearch");
        // Idempotent, and each call is atomic under the shared-mode mutex.
        _db.GetCollection(TrialsCollection).EnsureIndex("study");
        _db.GetCollection(QueueCollection).EnsureIndex("study");
    }

    private FrozenTrial Get(string studyName, int number)
    {
        var doc = _db.GetCollection(TrialsCollection).FindById(BsonConversions.TrialId(studyName, number));
        return doc is null ? throw TrialTransitions.MissingTrial(studyName, number) : BsonConversions.TrialFromBson(doc);
    }

    private void Put(string studyName, FrozenTrial trial) =>
        _db.GetCollection(TrialsCollection).Update(BsonConversions.TrialToBson(studyName, trial));

    private void EnsureStudy(string studyName)
    {
        if (_db.GetCollection(StudiesCollection).FindById(studyName) is null) throw TrialTransitions.MissingStudy(studyName);
    }

    /// <summary>Read-check-write sequences must not interleave with another process's (shared mode holds the file mutex for the transaction).</summary>
    private T InTransaction<T>(Func<T> body)
    {
        _db.BeginTrans();
        try
        {
            var result = body();
            _db.Commit();
            return result;
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>
    /// LiteDB 5 treats a short foreign file as an empty database and would write over it, so check
    /// the header page's signature ourselves before LiteDB touches the file. Empty or missing files
    /// are new stores.
    /// </summary>
    private static void EnsureLooksLikeLiteDb(string path)
    {
        if (!File.Exists(path)) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length == 0) return;
        var header = new byte[LiteDbSignatureOffset + LiteDbSignature.Length + 1];
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        var signature = read == header.Length ? System.Text.Encoding.ASCII.GetString(header, LiteDbSignatureOffset, LiteDbSignature.Length) : "";
        if (signature != LiteDbSignature)
            throw new OptimizationInputException($"cannot open study store '{path}': not a readable LiteDB database (no LiteDB header)");
        if (header[^1] != LiteDbFileVersion)
            throw new OptimizationInputException($"cannot open study store '{path}': LiteDB file format {header[^1]}, this build reads format {LiteDbFileVersion} (LiteDB 5)");
    }

    // Header page layout of LiteDB 5 (HeaderPage.P_HEADER_INFO, P_FILE_VERSION).
    private const string LiteDbSignature = "** This is a LiteDB file **";
    private const int LiteDbSignatureOffset = 32;
    private const byte LiteDbFileVersion = 8;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

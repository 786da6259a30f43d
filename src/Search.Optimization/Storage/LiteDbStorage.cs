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
/// enqueuing baselines, finishing a trial) run inside one transaction. Shared mode's mutex is
/// owned by the thread that took it, so calls on one instance (a heartbeat timer next to the
/// worker's own calls) are also serialized by a local lock.
/// </para>
/// <para>
/// Read-only: nothing is created or written, and LiteDB opens the file without write access, so a
/// damaged or foreign file is left byte-identical (a writable open of a damaged file would set
/// LiteDB's invalid-state byte). One exception in LiteDB 5.0.20 itself: on any open it crops a
/// data or log file whose length is not a whole number of pages (FileStreamFactory.GetLength opens
/// it for writing), so a read-only open refuses such a file before LiteDB sees it.
/// </para>
/// </summary>
public sealed class LiteDbStorage : ITrialStorage
{
    /// <summary>
    /// Heartbeats and study tasks were added as optional fields and a new collection, so a file
    /// written by this build is still version 1 and older files need no upgrade. Do not mix builds
    /// from before heartbeats with newer ones on one study: the older build does not beat.
    /// </summary>
    public const int CurrentFileSchemaVersion = 1;

    private const string StudiesCollection = "studies";
    private const string TrialsCollection = "trials";
    private const string QueueCollection = "queue";
    private const string TasksCollection = "tasks";
    private const string MetaCollection = "meta";

    private readonly Lock _gate = new();
    private readonly LiteDatabase _db;

    public LiteDbStorage(string path, bool readOnly = false)
    {
        FilePath = Path.GetFullPath(path);
        ReadOnly = readOnly;
        if (readOnly) EnsureExistingStore(FilePath);
        if (readOnly) EnsureWholePages(FilePath);
        EnsureLooksLikeLiteDb(FilePath);
        try
        {
            _db = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Shared, ReadOnly = readOnly });
        }
        catch (Exception e) when (StoreFileErrors.IsDiskFull(e))
        {
            throw StoreFileErrors.DiskFull(FilePath, e);
        }
        try
        {
            Guard(EnsureSchema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // More ways LiteDB reports a damaged file while reading its first pages.
            _db.Dispose();
            throw new OptimizationInputException($"cannot open study store '{FilePath}': not a readable LiteDB database ({FirstLine(e.Message)})", e);
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    public string FilePath { get; }

    public bool ReadOnly { get; }

    public string DisplayName => FilePath;

    public override string ToString() => DisplayName;

    public StudyRecord CreateOrOpenStudy(StudyRecord requested) => Write(() =>
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

    public StudyRecord? FindStudy(string name) => Guard(() =>
    {
        var doc = _db.GetCollection(StudiesCollection).FindById(name);
        return doc is null ? null : BsonConversions.StudyFromBson(doc);
    });

    public IReadOnlyList<StudyRecord> GetStudies() => Guard(() =>
        _db.GetCollection(StudiesCollection).FindAll().Select(BsonConversions.StudyFromBson)
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToArray());

    public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs) => Write(() =>
    {
        EnsureStudy(studyName);
        var queue = _db.GetCollection(QueueCollection);
        var existing = ReadQueue(studyName);
        var tags = existing.Select(q => q.Tag).ToHashSet(StringComparer.Ordinal);
        var next = existing.Length;
        var added = 0;
        foreach (var config in configs)
        {
            if (!tags.Add(config.Tag)) continue;
            queue.Insert(BsonConversions.QueuedToBson(studyName, new QueuedConfig(next++, config.Tag, config.Params)));
            added++;
        }
        return added;
    });

    public IReadOnlyList<QueuedConfig> GetQueue(string studyName) => Guard(() => ReadQueue(studyName));

    public bool TryCreateTrial(string studyName, FrozenTrial trial)
    {
        if (trial.State != TrialState.Running) throw new ArgumentException("new trials start Running", nameof(trial));
        return Write<bool>(() =>
        {
            EnsureStudy(studyName);
            var trials = _db.GetCollection(TrialsCollection);
            if (trials.FindById(BsonConversions.TrialId(studyName, trial.Number)) is not null) return false;
            // Few trials consume a queue entry (the baselines), so a scan for those only is cheap.
            if (TrialTransitions.QueueIndex(trial) is { } index && ReadTrials(studyName).Any(t => TrialTransitions.QueueIndex(t) == index)) return false;
            trials.Insert(BsonConversions.TrialToBson(studyName, trial));
            return true;
        });
    }

    public bool TryTakeOverTrial(string studyName, int number, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc) =>
        Write(() =>
        {
            var taken = TrialTransitions.TakeOver(Get(studyName, number), expectedWorker, expectedHeartbeatUtc, newWorker, nowUtc);
            if (taken is null) return false;
            Put(studyName, taken);
            return true;
        });

    public bool RecordHeartbeat(string studyName, int number, string worker, DateTime nowUtc) => Write(() =>
    {
        var trial = Get(studyName, number);
        if (!TrialTransitions.IsHeldBy(trial, worker)) return false;
        Put(studyName, trial with { HeartbeatUtc = nowUtc });
        return true;
    });

    public void SetTrialUserAttr(string studyName, int number, string key, string value) => Write(() =>
    {
        if (TrialTransitions.WithUserAttr(Get(studyName, number), key, value, studyName) is { } changed) Put(studyName, changed);
        return true;
    });

    public FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc) => Write(() =>
    {
        var finished = TrialTransitions.Finish(Get(studyName, number), outcome, endUtc, studyName);
        Put(studyName, finished);
        return finished;
    });

    public FrozenTrial? TryFinishTrial(string studyName, int number, string worker, TrialOutcome outcome, DateTime endUtc) => Write(() =>
    {
        var trial = Get(studyName, number);
        if (!TrialTransitions.IsHeldBy(trial, worker)) return null;
        var finished = TrialTransitions.Finish(trial, outcome, endUtc, studyName);
        Put(studyName, finished);
        return finished;
    });

    public FrozenTrial GetTrial(string studyName, int number) => Guard(() => Get(studyName, number));

    public IReadOnlyList<FrozenTrial> GetTrials(string studyName) => Guard(() =>
    {
        EnsureStudy(studyName);
        return ReadTrials(studyName);
    });

    public StudyTask? GetStudyTask(string studyName, string task) => Guard(() => FindTask(studyName, task));

    public IReadOnlyList<StudyTask> GetStudyTasks(string studyName) => Guard(() =>
    {
        EnsureStudy(studyName);
        return _db.GetCollection(TasksCollection).Find(Query.EQ("study", studyName)).Select(BsonConversions.TaskFromBson)
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    });

    public bool TryClaimStudyTask(string studyName, string task, string worker, DateTime nowUtc, StudyTask? observed = null) => Write(() =>
    {
        EnsureStudy(studyName);
        if (!StudyTaskTransitions.CanClaim(FindTask(studyName, task), observed)) return false;
        _db.GetCollection(TasksCollection).Upsert(BsonConversions.TaskToBson(studyName, StudyTaskTransitions.Claimed(task, worker, nowUtc)));
        return true;
    });

    public bool BeatStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        UpdateHeldTask(studyName, task, worker, t => t with { HeartbeatUtc = nowUtc });

    public bool CompleteStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        UpdateHeldTask(studyName, task, worker, t => t with { State = StudyTaskState.Complete, HeartbeatUtc = nowUtc, CompletedUtc = nowUtc });

    public bool ReleaseStudyTask(string studyName, string task, string worker) => Write(() =>
        StudyTaskTransitions.IsHeldBy(FindTask(studyName, task), worker)
        && _db.GetCollection(TasksCollection).Delete(BsonConversions.StudyKey(studyName, task)));

    public void ImportStudy(StudySnapshot snapshot) => Write(() =>
    {
        var name = snapshot.Record.Name;
        if (_db.GetCollection(StudiesCollection).FindById(name) is not null) throw TrialTransitions.StudyExists(name, DisplayName);
        _db.GetCollection(StudiesCollection).Insert(BsonConversions.StudyToBson(snapshot.Record));
        _db.GetCollection(QueueCollection).InsertBulk(snapshot.Queue.Select(q => BsonConversions.QueuedToBson(name, q)));
        _db.GetCollection(TrialsCollection).InsertBulk(snapshot.Trials.Select(t => BsonConversions.TrialToBson(name, t)));
        _db.GetCollection(TasksCollection).InsertBulk(snapshot.Tasks.Select(t => BsonConversions.TaskToBson(name, t)));
        return true;
    });

    /// <summary>Under the local lock too: shared mode's mutex must be released by the thread that took it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            try
            {
                _db.Dispose();
            }
            catch (Exception e) when (StoreFileErrors.IsDiskFull(e))
            {
                throw StoreFileErrors.DiskFull(FilePath, e); // the closing checkpoint found the disk full
            }
        }
    }

    /// <summary>
    /// Writes the schema marker on first use (inside a transaction: two workers may create the file
    /// at the same moment) or refuses a file written by a newer schema, or a LiteDB file of another
    /// application (collections but no marker). Read-only opens only check.
    /// </summary>
    private bool EnsureSchema()
    {
        var version = ReadOnly ? ReadSchemaVersion() : InTransaction(() =>
        {
            if (ReadSchemaVersion() is { } stored) return stored;
            _db.GetCollection(MetaCollection).Insert(new BsonDocument { ["_id"] = "schema", ["version"] = CurrentFileSchemaVersion });
            return CurrentFileSchemaVersion;
        });
        if (version > CurrentFileSchemaVersion)
            throw new OptimizationInputException(
                $"study store '{FilePath}' has schema version {version}; this build reads up to {CurrentFileSchemaVersion}; use a newer PruneSearch");
        if (ReadOnly) return true;
        // Idempotent, and each call is atomic under the shared-mode mutex.
        _db.GetCollection(TrialsCollection).EnsureIndex("study");
        _db.GetCollection(QueueCollection).EnsureIndex("study");
        // No index on tasks: a study has one or two, and creating one here would write to every old store opened.
        return true;
    }

    /// <summary>The marker's version; null for a LiteDB file with no collections at all (a new store).</summary>
    private int? ReadSchemaVersion()
    {
        if (_db.GetCollection(MetaCollection).FindById("schema") is { } schema) return schema["version"].AsInt32;
        var collections = _db.GetCollectionNames().ToList();
        if (collections.Count > 0 || ReadOnly)
            throw new OptimizationInputException(
                $"cannot open study store '{FilePath}': a LiteDB database but not a PruneSearch store (no schema marker{(collections.Count > 0 ? $"; collections {string.Join(", ", collections)}" : "")}); it was left unchanged");
        return null;
    }

    private FrozenTrial Get(string studyName, int number)
    {
        var doc = _db.GetCollection(TrialsCollection).FindById(BsonConversions.TrialId(studyName, number));
        return doc is null ? throw TrialTransitions.MissingTrial(studyName, number) : BsonConversions.TrialFromBson(doc);
    }

    /// <summary>
    /// The study's trials in number order. A trial's id holds its number, so two documents with one
    /// number mean a document was copied or renumbered by hand: refused, naming the number as the
    /// tables print it, since every table, export and resume would otherwise pick one silently.
    /// </summary>
    private FrozenTrial[] ReadTrials(string studyName)
    {
        var trials = _db.GetCollection(TrialsCollection).Find(Query.EQ("study", studyName))
            .Select(BsonConversions.TrialFromBson).OrderBy(t => t.Number).ToArray();
        for (int i = 1; i < trials.Length; i++)
            if (trials[i].Number == trials[i - 1].Number)
                throw new OptimizationInputException(
                    $"cannot read study store '{FilePath}': study '{studyName}' has two trials numbered {trials[i].Number + 1} " +
                    $"(stored number {trials[i].Number}; a trial copied or renumbered by hand?); it was left unchanged");
        return trials;
    }

    private QueuedConfig[] ReadQueue(string studyName) =>
        _db.GetCollection(QueueCollection).Find(Query.EQ("study", studyName))
            .Select(BsonConversions.QueuedFromBson).OrderBy(q => q.Index).ToArray();

    private StudyTask? FindTask(string studyName, string task) =>
        _db.GetCollection(TasksCollection).FindById(BsonConversions.StudyKey(studyName, task)) is { } doc ? BsonConversions.TaskFromBson(doc) : null;

    private bool UpdateHeldTask(string studyName, string task, string worker, Func<StudyTask, StudyTask> change) => Write(() =>
    {
        var current = FindTask(studyName, task);
        if (!StudyTaskTransitions.IsHeldBy(current, worker)) return false;
        _db.GetCollection(TasksCollection).Update(BsonConversions.TaskToBson(studyName, change(current!)));
        return true;
    });

    private void Put(string studyName, FrozenTrial trial) =>
        _db.GetCollection(TrialsCollection).Update(BsonConversions.TrialToBson(studyName, trial));

    private void EnsureStudy(string studyName)
    {
        if (_db.GetCollection(StudiesCollection).FindById(studyName) is null) throw TrialTransitions.MissingStudy(studyName);
    }

    /// <summary>A read-check-write in one transaction; refused on a read-only store before anything is touched.</summary>
    private T Write<T>(Func<T> body)
    {
        if (ReadOnly) throw new InvalidOperationException($"study store '{FilePath}' was opened read-only");
        StoreFileErrors.EnsureRoomToWrite(FilePath);
        return Guard(() => InTransaction(body));
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
    /// One call at a time per instance, and LiteDB's errors about a damaged file (it reports them
    /// in several ways depending on which page it trips over) as one line naming the file.
    /// </summary>
    private T Guard<T>(Func<T> body)
    {
        lock (_gate)
        {
            try
            {
                return body();
            }
            catch (Exception e) when (StoreFileErrors.IsDiskFull(e))
            {
                throw StoreFileErrors.DiskFull(FilePath, e);
            }
            catch (Exception e) when (e is LiteException or InvalidCastException or IOException or NotSupportedException)
            {
                throw new OptimizationInputException($"cannot read study store '{FilePath}': not a readable LiteDB database ({FirstLine(e.Message)})", e);
            }
        }
    }

    /// <summary>A read-only open never creates: a missing or empty file is not a store to read.</summary>
    private static void EnsureExistingStore(string path)
    {
        if (!File.Exists(path)) throw new OptimizationInputException($"study store '{path}' not found");
        if (new FileInfo(path).Length == 0) throw new OptimizationInputException($"study store '{path}' is an empty file, not a PruneSearch store; it was left unchanged");
    }

    /// <summary>
    /// LiteDB would crop a partial last page (of the data file or its "-log" file) even when opened
    /// read-only. A writer appends whole pages, so a partial one is a cut-off file; the check is
    /// repeated briefly in case it caught a live writer between the halves of one page.
    /// </summary>
    private static void EnsureWholePages(string path)
    {
        var log = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));
        for (var attempt = 0; ; attempt++)
        {
            var partial = new[] { path, log }.Where(File.Exists).Select(f => (File: f, Length: new FileInfo(f).Length))
                .FirstOrDefault(f => f.Length % LiteDbPageSize != 0);
            if (partial.File is null) return;
            if (attempt == 3)
                throw new OptimizationInputException(
                    $"cannot read study store '{path}': damaged ({Path.GetFileName(partial.File)} is {partial.Length} bytes, not a whole number of {LiteDbPageSize}-byte pages); it was left unchanged");
            Thread.Sleep(50);
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
    private const int LiteDbPageSize = 8192;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

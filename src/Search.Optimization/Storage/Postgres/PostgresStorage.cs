using System.Data;
using Npgsql;
using Search.Optimization.Trials;

namespace Search.Optimization.Storage;

/// <summary>
/// Studies in a PostgreSQL database, for workers on many machines (a LiteDB file is one
/// machine's: its shared mode locks files, which NFS does not honour).
/// <para>
/// Every call takes a pooled connection. State changes run in one transaction each: a trial or
/// task row is locked (<c>SELECT … FOR UPDATE</c>), the shared rules in <see cref="TrialTransitions"/>
/// decide, and the row is written back, so the rules cannot drift from the other backends.
/// Claims are decided by the database itself: a trial number or a queued config by a primary key /
/// unique index (<c>INSERT … ON CONFLICT DO NOTHING</c>), a takeover or a heartbeat by a row that
/// still names the expected holder. No two workers can hold one trial.
/// </para>
/// <para>
/// Read-only opens create nothing, run every statement in read-only transactions
/// (<c>default_transaction_read_only</c>) and refuse writes before sending them.
/// </para>
/// </summary>
public sealed class PostgresStorage : ITrialStorage
{
    private const string TrialColumns =
        "number, state, params, value, scores, user_attrs, error, start_ticks, end_ticks, seed, worker, schema_version, heartbeat_ticks";

    private const string TaskColumns = "name, state, worker, claimed_ticks, heartbeat_ticks, completed_ticks";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _s;

    public PostgresStorage(string url, bool readOnly = false) : this(PostgresUrl.Parse(url), readOnly) { }

    public PostgresStorage(PostgresUrl url, bool readOnly = false)
    {
        Url = url;
        ReadOnly = readOnly;
        _s = url.Schema;
        var settings = new NpgsqlConnectionStringBuilder(url.Settings.ConnectionString);
        if (readOnly) settings.Options = "-c default_transaction_read_only=on";
        _dataSource = NpgsqlDataSource.Create(settings);
        try
        {
            var localBefore = DateTime.UtcNow;
            var serverNow = Run(connection =>
            {
                PostgresSchema.EnsureCreated(connection, _s, DisplayName, readOnly);
                using var command = new NpgsqlCommand("SELECT now()", connection);
                return (DateTime)command.ExecuteScalar()!;
            });
            ServerClockOffset = serverNow.ToUniversalTime() - localBefore;
        }
        catch (PostgresException e)
        {
            _dataSource.Dispose();
            throw PostgresErrors.Unreachable(DisplayName, e);
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }
    }

    public PostgresUrl Url { get; }

    public bool ReadOnly { get; }

    public string DisplayName => Url.Display;

    /// <summary>
    /// Server clock minus this machine's, measured at open (within a round trip). Heartbeats carry
    /// each worker's own clock, so a large offset between workers' machines shortens or stretches
    /// the grace period; a CLI may warn when this exceeds a fraction of the grace.
    /// </summary>
    public TimeSpan ServerClockOffset { get; }

    public override string ToString() => DisplayName;

    public StudyRecord CreateOrOpenStudy(StudyRecord requested) => Write((c, tx) =>
    {
        using (var insert = Command(c, tx, $"""
            INSERT INTO {_s}.studies (name, model_path, model_hash, space_json, layer_count, sampler, seed, objective, software_version, schema_version)
            VALUES (@name, @model_path, @model_hash, @space_json, @layer_count, @sampler, @seed, @objective, @software_version, @schema_version)
            ON CONFLICT (name) DO NOTHING
            """))
        {
            AddStudy(insert, requested);
            if (insert.ExecuteNonQuery() == 1) return requested;
        }
        var stored = ReadStudy(c, tx, requested.Name)!;
        stored.EnsureCompatibleWith(requested);
        return stored;
    });

    public StudyRecord? FindStudy(string name) => Run(c => ReadStudy(c, null, name));

    public IReadOnlyList<StudyRecord> GetStudies() => Run(c =>
    {
        using var command = Command(c, null, $"SELECT {StudyColumns} FROM {_s}.studies");
        return ReadAll(command, ReadStudyRow).OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
    });

    public int Enqueue(string studyName, IReadOnlyList<QueuedConfigDraft> configs) => Write((c, tx) =>
    {
        // Locking the study row serializes enqueuers of one study, so queue positions stay dense.
        LockStudy(c, tx, studyName);
        var existing = ReadQueue(c, tx, studyName);
        var tags = existing.Select(q => q.Tag).ToHashSet(StringComparer.Ordinal);
        var next = existing.Count;
        var added = 0;
        foreach (var config in configs)
        {
            if (!tags.Add(config.Tag)) continue;
            InsertQueued(c, tx, studyName, new QueuedConfig(next++, config.Tag, config.Params));
            added++;
        }
        return added;
    });

    public IReadOnlyList<QueuedConfig> GetQueue(string studyName) => Run(c => ReadQueue(c, null, studyName));

    public bool TryCreateTrial(string studyName, FrozenTrial trial)
    {
        if (trial.State != TrialState.Running) throw new ArgumentException("new trials start Running", nameof(trial));
        return Write((c, tx) =>
        {
            LockStudy(c, tx, studyName, forUpdate: false);
            // The primary key (study, number) and the unique index on (study, queue_index) make the claim.
            return InsertTrial(c, tx, studyName, trial, onConflictDoNothing: true);
        });
    }

    public bool TryTakeOverTrial(string studyName, int number, string expectedWorker, DateTime? expectedHeartbeatUtc, string newWorker, DateTime nowUtc) =>
        Write((c, tx) =>
        {
            var taken = TrialTransitions.TakeOver(LockTrial(c, tx, studyName, number), expectedWorker, expectedHeartbeatUtc, newWorker, nowUtc);
            if (taken is null) return false;
            UpdateTrial(c, tx, studyName, taken);
            return true;
        });

    public bool RecordHeartbeat(string studyName, int number, string worker, DateTime nowUtc)
    {
        // The hot path: one statement, the row names its holder.
        var beat = WriteStatement(c =>
        {
            using var command = Command(c, null, $"""
                UPDATE {_s}.trials SET heartbeat_ticks = @now
                WHERE study = @study AND number = @number AND state = 'Running' AND worker = @worker
                """);
            command.Parameters.AddWithValue("now", nowUtc.Ticks);
            command.Parameters.AddWithValue("study", studyName);
            command.Parameters.AddWithValue("number", number);
            command.Parameters.AddWithValue("worker", worker);
            return command.ExecuteNonQuery() == 1;
        });
        if (!beat) GetTrial(studyName, number); // a missing trial is an error, as in the other backends
        return beat;
    }

    public void SetTrialUserAttr(string studyName, int number, string key, string value) => Write((c, tx) =>
    {
        if (TrialTransitions.WithUserAttr(LockTrial(c, tx, studyName, number), key, value, studyName) is { } changed)
            UpdateTrial(c, tx, studyName, changed);
        return true;
    });

    public FrozenTrial FinishTrial(string studyName, int number, TrialOutcome outcome, DateTime endUtc) => Write((c, tx) =>
    {
        var finished = TrialTransitions.Finish(LockTrial(c, tx, studyName, number), outcome, endUtc, studyName);
        UpdateTrial(c, tx, studyName, finished);
        return finished;
    });

    public FrozenTrial? TryFinishTrial(string studyName, int number, string worker, TrialOutcome outcome, DateTime endUtc) => Write((c, tx) =>
    {
        var trial = LockTrial(c, tx, studyName, number);
        if (!TrialTransitions.IsHeldBy(trial, worker)) return null;
        var finished = TrialTransitions.Finish(trial, outcome, endUtc, studyName);
        UpdateTrial(c, tx, studyName, finished);
        return finished;
    });

    public FrozenTrial GetTrial(string studyName, int number) => Run(c =>
        ReadTrial(c, null, studyName, number, lockRow: false) ?? throw TrialTransitions.MissingTrial(studyName, number));

    public IReadOnlyList<FrozenTrial> GetTrials(string studyName) => Run(c =>
    {
        // One statement, so one snapshot: the list a sampler reads is consistent.
        using var command = Command(c, null, $"""
            SELECT {TrialColumns}, EXISTS (SELECT 1 FROM {_s}.studies WHERE name = @study) AS known
            FROM (SELECT 1) AS one LEFT JOIN {_s}.trials ON study = @study
            ORDER BY number
            """);
        command.Parameters.AddWithValue("study", studyName);
        var trials = new List<FrozenTrial>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.GetBoolean(13)) throw TrialTransitions.MissingStudy(studyName);
            if (!reader.IsDBNull(0)) trials.Add(ReadTrialRow(reader));
        }
        return trials;
    });

    public StudyTask? GetStudyTask(string studyName, string task) => Run(c => ReadTask(c, null, studyName, task, lockRow: false));

    public IReadOnlyList<StudyTask> GetStudyTasks(string studyName) => Run(c =>
    {
        if (ReadStudy(c, null, studyName) is null) throw TrialTransitions.MissingStudy(studyName);
        using var command = Command(c, null, $"SELECT {TaskColumns} FROM {_s}.study_tasks WHERE study = @study");
        command.Parameters.AddWithValue("study", studyName);
        return ReadAll(command, ReadTaskRow).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    });

    public bool TryClaimStudyTask(string studyName, string task, string worker, DateTime nowUtc, StudyTask? observed = null) => Write((c, tx) =>
    {
        LockStudy(c, tx, studyName, forUpdate: false);
        var current = ReadTask(c, tx, studyName, task, lockRow: true);
        if (!StudyTaskTransitions.CanClaim(current, observed)) return false;
        var claimed = StudyTaskTransitions.Claimed(task, worker, nowUtc);
        // No row yet: two claimers both see none, so the primary key decides which insert counts.
        using var command = Command(c, tx, current is null
            ? $"""
              INSERT INTO {_s}.study_tasks (study, {TaskColumns})
              VALUES (@study, @name, @state, @worker, @claimed, @beat, @completed) ON CONFLICT DO NOTHING
              """
            : $"""
              UPDATE {_s}.study_tasks SET state = @state, worker = @worker, claimed_ticks = @claimed, heartbeat_ticks = @beat, completed_ticks = @completed
              WHERE study = @study AND name = @name
              """);
        AddTask(command, studyName, claimed);
        return command.ExecuteNonQuery() == 1;
    });

    public bool BeatStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        ChangeHeldTask(studyName, task, worker, "heartbeat_ticks = @now", nowUtc);

    public bool CompleteStudyTask(string studyName, string task, string worker, DateTime nowUtc) =>
        ChangeHeldTask(studyName, task, worker, "state = 'Complete', heartbeat_ticks = @now, completed_ticks = @now", nowUtc);

    public bool ReleaseStudyTask(string studyName, string task, string worker) => WriteStatement(c =>
    {
        using var command = Command(c, null, $"DELETE FROM {_s}.study_tasks WHERE study = @study AND name = @name AND worker = @worker AND state = 'Running'");
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("name", task);
        command.Parameters.AddWithValue("worker", worker);
        return command.ExecuteNonQuery() == 1;
    });

    public void ImportStudy(StudySnapshot snapshot) => Write((c, tx) =>
    {
        var name = snapshot.Record.Name;
        using (var insert = Command(c, tx, $"""
            INSERT INTO {_s}.studies (name, model_path, model_hash, space_json, layer_count, sampler, seed, objective, software_version, schema_version)
            VALUES (@name, @model_path, @model_hash, @space_json, @layer_count, @sampler, @seed, @objective, @software_version, @schema_version)
            ON CONFLICT (name) DO NOTHING
            """))
        {
            AddStudy(insert, snapshot.Record);
            if (insert.ExecuteNonQuery() == 0) throw TrialTransitions.StudyExists(name, DisplayName);
        }
        foreach (var queued in snapshot.Queue) InsertQueued(c, tx, name, queued);
        foreach (var trial in snapshot.Trials) InsertTrial(c, tx, name, trial, onConflictDoNothing: false);
        foreach (var task in snapshot.Tasks)
        {
            using var command = Command(c, tx, $"INSERT INTO {_s}.study_tasks (study, {TaskColumns}) VALUES (@study, @name, @state, @worker, @claimed, @beat, @completed)");
            AddTask(command, name, task);
            command.ExecuteNonQuery();
        }
        return true;
    });

    public void Dispose() => _dataSource.Dispose();

    private bool ChangeHeldTask(string studyName, string task, string worker, string assignments, DateTime nowUtc) => WriteStatement(c =>
    {
        using var command = Command(c, null, $"UPDATE {_s}.study_tasks SET {assignments} WHERE study = @study AND name = @name AND worker = @worker AND state = 'Running'");
        command.Parameters.AddWithValue("now", nowUtc.Ticks);
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("name", task);
        command.Parameters.AddWithValue("worker", worker);
        return command.ExecuteNonQuery() == 1;
    });

    // ---- rows ------------------------------------------------------------------------------

    private const string StudyColumns = "name, model_path, model_hash, space_json, layer_count, sampler, seed, objective, software_version, schema_version";

    private StudyRecord? ReadStudy(NpgsqlConnection c, NpgsqlTransaction? tx, string name)
    {
        using var command = Command(c, tx, $"SELECT {StudyColumns} FROM {_s}.studies WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        return ReadAll(command, ReadStudyRow).SingleOrDefault();
    }

    private static StudyRecord ReadStudyRow(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt32(4),
        r.GetString(5), r.GetInt32(6), r.GetString(7), r.GetString(8), r.GetInt32(9));

    private static void AddStudy(NpgsqlCommand command, StudyRecord record)
    {
        command.Parameters.AddWithValue("name", record.Name);
        command.Parameters.AddWithValue("model_path", record.ModelPath);
        command.Parameters.AddWithValue("model_hash", record.ModelHash);
        command.Parameters.AddWithValue("space_json", record.SpaceJson);
        command.Parameters.AddWithValue("layer_count", NpgsqlTypes.NpgsqlDbType.Integer, (object?)record.LayerCount ?? DBNull.Value);
        command.Parameters.AddWithValue("sampler", record.SamplerName);
        command.Parameters.AddWithValue("seed", record.Seed);
        command.Parameters.AddWithValue("objective", record.ObjectiveDescription);
        command.Parameters.AddWithValue("software_version", record.SoftwareVersion);
        command.Parameters.AddWithValue("schema_version", record.SchemaVersion);
    }

    /// <summary>
    /// The study must exist. <paramref name="forUpdate"/> also serializes writers of that study
    /// (enqueue) without blocking trial inserts, whose foreign key check only takes a key-share lock.
    /// </summary>
    private void LockStudy(NpgsqlConnection c, NpgsqlTransaction tx, string studyName, bool forUpdate = true)
    {
        using var command = Command(c, tx, $"SELECT 1 FROM {_s}.studies WHERE name = @name {(forUpdate ? "FOR NO KEY UPDATE" : "FOR KEY SHARE")}");
        command.Parameters.AddWithValue("name", studyName);
        if (command.ExecuteScalar() is null) throw TrialTransitions.MissingStudy(studyName);
    }

    private List<QueuedConfig> ReadQueue(NpgsqlConnection c, NpgsqlTransaction? tx, string studyName)
    {
        using var command = Command(c, tx, $"SELECT idx, tag, params FROM {_s}.queue WHERE study = @study ORDER BY idx");
        command.Parameters.AddWithValue("study", studyName);
        return ReadAll(command, r => new QueuedConfig(r.GetInt32(0), r.GetString(1), JsonColumns.ParamsFrom(r.GetString(2))));
    }

    private void InsertQueued(NpgsqlConnection c, NpgsqlTransaction tx, string studyName, QueuedConfig queued)
    {
        using var command = Command(c, tx, $"INSERT INTO {_s}.queue (study, idx, tag, params) VALUES (@study, @idx, @tag, @params)");
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("idx", queued.Index);
        command.Parameters.AddWithValue("tag", queued.Tag);
        command.Parameters.AddWithValue("params", JsonColumns.Params(queued.Params));
        command.ExecuteNonQuery();
    }

    private FrozenTrial? ReadTrial(NpgsqlConnection c, NpgsqlTransaction? tx, string studyName, int number, bool lockRow)
    {
        using var command = Command(c, tx, $"SELECT {TrialColumns} FROM {_s}.trials WHERE study = @study AND number = @number{(lockRow ? " FOR UPDATE" : "")}");
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("number", number);
        return ReadAll(command, ReadTrialRow).SingleOrDefault();
    }

    private FrozenTrial LockTrial(NpgsqlConnection c, NpgsqlTransaction tx, string studyName, int number) =>
        ReadTrial(c, tx, studyName, number, lockRow: true) ?? throw TrialTransitions.MissingTrial(studyName, number);

    private static FrozenTrial ReadTrialRow(NpgsqlDataReader r) => new(
        Number: r.GetInt32(0),
        State: Enum.Parse<TrialState>(r.GetString(1)),
        Params: JsonColumns.ParamsFrom(r.GetString(2)),
        Value: r.IsDBNull(3) ? null : r.GetDouble(3),
        Scores: JsonColumns.ScoresFrom(r.GetString(4)),
        UserAttrs: JsonColumns.AttrsFrom(r.GetString(5)),
        Error: r.IsDBNull(6) ? null : r.GetString(6),
        StartUtc: new DateTime(r.GetInt64(7), DateTimeKind.Utc),
        EndUtc: r.IsDBNull(8) ? null : new DateTime(r.GetInt64(8), DateTimeKind.Utc),
        Seed: r.GetInt32(9),
        Worker: r.GetString(10),
        SchemaVersion: r.GetInt32(11),
        HeartbeatUtc: r.IsDBNull(12) ? null : new DateTime(r.GetInt64(12), DateTimeKind.Utc));

    private bool InsertTrial(NpgsqlConnection c, NpgsqlTransaction tx, string studyName, FrozenTrial trial, bool onConflictDoNothing)
    {
        using var command = Command(c, tx, $"""
            INSERT INTO {_s}.trials (study, {TrialColumns}, queue_index)
            VALUES (@study, @number, @state, @params, @value, @scores, @user_attrs, @error, @start, @end, @seed, @worker, @schema_version, @beat, @queue_index)
            {(onConflictDoNothing ? "ON CONFLICT DO NOTHING" : "")}
            """);
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("number", trial.Number);
        command.Parameters.AddWithValue("seed", trial.Seed);
        command.Parameters.AddWithValue("schema_version", trial.SchemaVersion);
        command.Parameters.AddWithValue("start", trial.StartUtc.Ticks);
        command.Parameters.AddWithValue("params", JsonColumns.Params(trial.Params));
        command.Parameters.AddWithValue("queue_index", NpgsqlTypes.NpgsqlDbType.Integer, (object?)TrialTransitions.QueueIndex(trial) ?? DBNull.Value);
        AddMutableTrialFields(command, trial);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Writes what may change while a trial runs or finishes; number, params, seed and start never change.</summary>
    private void UpdateTrial(NpgsqlConnection c, NpgsqlTransaction tx, string studyName, FrozenTrial trial)
    {
        using var command = Command(c, tx, $"""
            UPDATE {_s}.trials SET state = @state, value = @value, scores = @scores, user_attrs = @user_attrs, error = @error,
                end_ticks = @end, worker = @worker, heartbeat_ticks = @beat
            WHERE study = @study AND number = @number
            """);
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("number", trial.Number);
        AddMutableTrialFields(command, trial);
        command.ExecuteNonQuery();
    }

    private static void AddMutableTrialFields(NpgsqlCommand command, FrozenTrial trial)
    {
        command.Parameters.AddWithValue("state", trial.State.ToString());
        command.Parameters.AddWithValue("value", NpgsqlTypes.NpgsqlDbType.Double, (object?)trial.Value ?? DBNull.Value);
        command.Parameters.AddWithValue("scores", JsonColumns.Scores(trial.Scores));
        command.Parameters.AddWithValue("user_attrs", JsonColumns.Attrs(trial.UserAttrs));
        command.Parameters.AddWithValue("error", NpgsqlTypes.NpgsqlDbType.Text, (object?)trial.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("end", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)trial.EndUtc?.Ticks ?? DBNull.Value);
        command.Parameters.AddWithValue("worker", trial.Worker);
        command.Parameters.AddWithValue("beat", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)trial.HeartbeatUtc?.Ticks ?? DBNull.Value);
    }

    private StudyTask? ReadTask(NpgsqlConnection c, NpgsqlTransaction? tx, string studyName, string task, bool lockRow)
    {
        using var command = Command(c, tx, $"SELECT {TaskColumns} FROM {_s}.study_tasks WHERE study = @study AND name = @name{(lockRow ? " FOR UPDATE" : "")}");
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("name", task);
        return ReadAll(command, ReadTaskRow).SingleOrDefault();
    }

    private static StudyTask ReadTaskRow(NpgsqlDataReader r) => new(
        r.GetString(0), Enum.Parse<StudyTaskState>(r.GetString(1)), r.GetString(2),
        new DateTime(r.GetInt64(3), DateTimeKind.Utc), new DateTime(r.GetInt64(4), DateTimeKind.Utc),
        r.IsDBNull(5) ? null : new DateTime(r.GetInt64(5), DateTimeKind.Utc));

    private static void AddTask(NpgsqlCommand command, string studyName, StudyTask task)
    {
        command.Parameters.AddWithValue("study", studyName);
        command.Parameters.AddWithValue("name", task.Name);
        command.Parameters.AddWithValue("state", task.State.ToString());
        command.Parameters.AddWithValue("worker", task.Worker);
        command.Parameters.AddWithValue("claimed", task.ClaimedUtc.Ticks);
        command.Parameters.AddWithValue("beat", task.HeartbeatUtc.Ticks);
        command.Parameters.AddWithValue("completed", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)task.CompletedUtc?.Ticks ?? DBNull.Value);
    }

    // ---- plumbing --------------------------------------------------------------------------

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? tx, string sql) => new(sql, c, tx);

    private static List<T> ReadAll<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A pooled connection with this store's settings (internal: tests check what a read-only session refuses).</summary>
    internal T Run<T>(Func<NpgsqlConnection, T> body)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            return body(connection);
        }
        catch (Exception e) when (PostgresErrors.IsConnectionProblem(e))
        {
            throw PostgresErrors.Unreachable(DisplayName, e);
        }
    }

    /// <summary>A single statement (its own transaction); refused on a read-only store before anything is sent.</summary>
    private T WriteStatement<T>(Func<NpgsqlConnection, T> body)
    {
        if (ReadOnly) throw new InvalidOperationException($"study store {DisplayName} was opened read-only");
        return Run(body);
    }

    /// <summary>One transaction; refused on a read-only store before anything is sent.</summary>
    private T Write<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> body)
    {
        if (ReadOnly) throw new InvalidOperationException($"study store {DisplayName} was opened read-only");
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            var result = body(connection, tx);
            tx.Commit();
            return result;
        });
    }
}

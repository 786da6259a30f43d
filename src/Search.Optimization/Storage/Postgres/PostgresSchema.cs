using Npgsql;

namespace Search.Optimization.Storage;

/// <summary>
/// The store's tables, created by the tool in their own PostgreSQL schema and versioned by a
/// one-row <c>store_schema</c> table. Times are bigint .NET ticks (UTC): timestamptz keeps
/// microseconds, and a stored trial must read back exactly as written (a takeover compares
/// heartbeats for equality). Params, scores and user attrs are JSON text (<see cref="JsonColumns"/>).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Version 1: studies, queue, trials (with heartbeats), study tasks.</summary>
    public const int CurrentVersion = 1;

    public static string CreateSql(string s) => $"""
        CREATE SCHEMA IF NOT EXISTS {s};
        CREATE TABLE {s}.store_schema (
            id int PRIMARY KEY CHECK (id = 1),
            version int NOT NULL,
            created_by text NOT NULL);
        CREATE TABLE {s}.studies (
            name text PRIMARY KEY,
            model_path text NOT NULL,
            model_hash text NOT NULL,
            space_json text NOT NULL,
            layer_count int,
            sampler text NOT NULL,
            seed int NOT NULL,
            objective text NOT NULL,
            software_version text NOT NULL,
            schema_version int NOT NULL);
        CREATE TABLE {s}.queue (
            study text NOT NULL REFERENCES {s}.studies (name),
            idx int NOT NULL,
            tag text NOT NULL,
            params text NOT NULL,
            PRIMARY KEY (study, idx),
            UNIQUE (study, tag));
        CREATE TABLE {s}.trials (
            study text NOT NULL REFERENCES {s}.studies (name),
            number int NOT NULL CHECK (number >= 0),
            state text NOT NULL CHECK (state IN ('Running', 'Complete', 'Pruned', 'Failed')),
            params text NOT NULL,
            value double precision,
            scores text NOT NULL,
            user_attrs text NOT NULL,
            error text,
            start_ticks bigint NOT NULL,
            end_ticks bigint,
            seed int NOT NULL,
            worker text NOT NULL,
            heartbeat_ticks bigint,
            queue_index int,
            schema_version int NOT NULL,
            PRIMARY KEY (study, number));
        -- A queued config is evaluated by one trial only, whichever worker gets there first.
        CREATE UNIQUE INDEX trials_queue_once ON {s}.trials (study, queue_index) WHERE queue_index IS NOT NULL;
        CREATE TABLE {s}.study_tasks (
            study text NOT NULL REFERENCES {s}.studies (name),
            name text NOT NULL,
            state text NOT NULL CHECK (state IN ('Running', 'Complete')),
            worker text NOT NULL,
            claimed_ticks bigint NOT NULL,
            heartbeat_ticks bigint NOT NULL,
            completed_ticks bigint,
            PRIMARY KEY (study, name));
        INSERT INTO {s}.store_schema (id, version, created_by) VALUES (1, {CurrentVersion}, 'prunesearch');
        """;

    /// <summary>
    /// Creates the tables on first use or checks their version. Workers starting together
    /// serialize on an advisory lock, so exactly one creates. Read-only: checks only, and a
    /// database without a store is an error (nothing is created).
    /// </summary>
    public static void EnsureCreated(NpgsqlConnection connection, string schema, string display, bool readOnly)
    {
        using var tx = connection.BeginTransaction();
        if (!readOnly) Execute(connection, tx, "SELECT pg_advisory_xact_lock(hashtext('prunesearch store ' || @schema))", ("schema", schema));
        var hasStore = Scalar<bool>(connection, tx, "SELECT to_regclass(@table) IS NOT NULL", ("table", $"{schema}.store_schema"));
        if (hasStore)
        {
            var version = Scalar<int>(connection, tx, $"SELECT version FROM {schema}.store_schema WHERE id = 1");
            if (version < 1)
                throw new OptimizationInputException($"study store {display} has an unknown schema version {version}; it was not written by PruneSearch");
            if (version > CurrentVersion)
                throw new OptimizationInputException(
                    $"study store {display} has schema version {version}; this build reads up to {CurrentVersion}; use a newer PruneSearch");
            tx.Commit();
            return;
        }
        var foreignTables = Scalar<long>(connection, tx, "SELECT count(*) FROM pg_tables WHERE schemaname = @schema", ("schema", schema));
        if (foreignTables > 0)
            throw new OptimizationInputException(
                $"study store {display}: schema '{schema}' holds {foreignTables} tables but no PruneSearch store; choose another with ?schema= (nothing was changed)");
        if (readOnly)
            throw new OptimizationInputException($"no study store at {display} (schema '{schema}' has no PruneSearch tables); nothing was created");
        Execute(connection, tx, CreateSql(schema));
        tx.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)command.ExecuteScalar()!;
    }
}

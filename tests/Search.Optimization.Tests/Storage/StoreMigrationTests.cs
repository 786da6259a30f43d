using Search.Optimization.Storage;
using Search.Optimization.Trials;

namespace Search.Optimization.Tests.Storage;

public sealed class StoreMigrationTests : IDisposable
{
    private static readonly DateTime T0 = new DateTime(2026, 4, 5, 6, 7, 8, DateTimeKind.Utc).AddTicks(1234567);
    private readonly TempDirectory _directory = new();
    private readonly List<string> _pgUrls = [];

    public void Dispose()
    {
        foreach (var url in _pgUrls) PostgresTestServer.DropSchemaOf(url);
        _directory.Dispose();
    }

    /// <summary>A study with every kind of thing a store holds, awkward values included.</summary>
    private static void Fill(ITrialStorage storage, string name)
    {
        storage.CreateOrOpenStudy(new StudyRecord(name, "/models/ü tiny", "sha256:abc", """{"params":[{"name":"x"}]}""", 6, "gp", 11, "ppl, seqlen 128", "1.2.3-dev"));
        var p = ParamSet.Freeze([KeyValuePair.Create("source", ParamValue.Of("c4")), KeyValuePair.Create("n", ParamValue.Of(1024L)),
            KeyValuePair.Create("lr", ParamValue.Of(0.1 + 0.2)), KeyValuePair.Create("mix", ParamValue.Of([1.0 / 3, 2.0 / 3, -0.0]))]);
        storage.Enqueue(name, [new QueuedConfigDraft("flap", p), new QueuedConfigDraft("wanda", ParamSet.Empty)]);

        FrozenTrial Trial(int number) => TestData.RunningTrial(number, p, worker: $"host:{number}:42") with
        {
            StartUtc = T0.AddSeconds(number),
            HeartbeatUtc = T0.AddSeconds(number + 0.5),
            UserAttrs = new Dictionary<string, string> { ["plan"] = "{\"kept\":[1,2]}", ["note"] = "größer\ttab\nline" },
        };
        for (var n = 0; n < 5; n++) storage.TryCreateTrial(name, Trial(n));
        storage.FinishTrial(name, 0, TrialOutcome.Completed(14.625, [new TrialScore("ppl", 14.625, "valid", 4096, 128, "corpus"), new TrialScore("kl", double.NaN, "test", 1, 2, "none")]), T0.AddMinutes(1));
        storage.SetTrialUserAttr(name, 0, UserAttrKeys.AnnotationPrefix + "final", """{"test":15.1}""");
        storage.FinishTrial(name, 1, TrialOutcome.Failed("CUDA out of memory"), T0.AddMinutes(2));
        storage.FinishTrial(name, 2, TrialOutcome.Pruned(), T0.AddMinutes(3));
        storage.FinishTrial(name, 3, TrialOutcome.Pruned(double.PositiveInfinity), T0.AddMinutes(4));
        // Trial 4 stays Running, beating.
        storage.TryClaimStudyTask(name, "finalize", "host:9:9", T0.AddMinutes(5));
        storage.CompleteStudyTask(name, "finalize", "host:9:9", T0.AddMinutes(6));
        storage.TryClaimStudyTask(name, "seed_spread", "host:8:8", T0.AddMinutes(7));
    }

    /// <summary>Every field of everything, in a form where any difference shows (doubles round-trip, times as ticks with kind).</summary>
    private static List<string> Dump(ITrialStorage storage, string name)
    {
        var s = StudySnapshot.Read(storage, name);
        static string Time(DateTime? t) => t is { } v ? $"{v.Ticks}{v.Kind}" : "null";
        static string Num(double? x) => x is { } v ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + (double.IsNegative(v) ? "-" : "") : "null";
        static string Params(IReadOnlyDictionary<string, ParamValue> p) => string.Join(";", p.Select(kv => $"{kv.Key}:{kv.Value.Kind}:" + kv.Value.Kind switch
        {
            ParamValueKind.Real => Num(kv.Value.AsReal),
            ParamValueKind.Integer => kv.Value.AsInteger.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ParamValueKind.Text => kv.Value.AsText,
            _ => string.Join(",", kv.Value.AsVector.Select(x => Num(x))),
        }));
        var lines = new List<string> { s.Record.ToString() };
        lines.AddRange(s.Queue.Select(q => $"queue {q.Index} {q.Tag} {Params(q.Params)}"));
        lines.AddRange(s.Trials.Select(t =>
            $"trial {t.Number} {t.State} {Params(t.Params)} value={Num(t.Value)} " +
            $"scores={string.Join("|", t.Scores.Select(x => $"{x.Name},{Num(x.Value)},{x.Split},{x.Tokens},{x.SeqLen},{x.Bos}"))} " +
            $"attrs={string.Join("|", t.UserAttrs.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))} " +
            $"error={t.Error ?? "null"} start={Time(t.StartUtc)} end={Time(t.EndUtc)} seed={t.Seed} worker={t.Worker} " +
            $"schema={t.SchemaVersion} beat={Time(t.HeartbeatUtc)}"));
        lines.AddRange(s.Tasks.Select(t => $"task {t.Name} {t.State} {t.Worker} {Time(t.ClaimedUtc)} {Time(t.HeartbeatUtc)} {Time(t.CompletedUtc)}"));
        return lines;
    }

    private void RoundTrip(Func<ITrialStorage> middle)
    {
        using var source = new LiteDbStorage(_directory.File("source.db"));
        Fill(source, "s");
        var expected = Dump(source, "s");
        Assert.Contains(expected, line => line.Contains("kl,NaN", StringComparison.Ordinal));

        using var between = middle();
        var report = Assert.Single(StoreMigration.Copy(source, between, "s"));
        Assert.Equal(new MigratedStudy("s", 5, 2, 2, 1), report);
        using var back = new LiteDbStorage(_directory.File("back.db"));
        StoreMigration.Copy(between, back);

        Assert.Equal(expected, Dump(between, "s"));
        Assert.Equal(expected, Dump(back, "s"));
    }

    [Fact]
    public void Given_a_LiteDB_study_When_copied_to_another_store_and_back_Then_every_field_is_identical() =>
        RoundTrip(() => new LiteDbStorage(_directory.File("middle.db")));

    [PostgresFact]
    public void Given_a_LiteDB_study_When_copied_to_PostgreSQL_and_back_Then_every_field_is_identical() =>
        RoundTrip(() =>
        {
            var url = PostgresTestServer.UrlWithNewSchema();
            _pgUrls.Add(url);
            return new PostgresStorage(url);
        });

    [Fact]
    public void Given_a_study_of_the_same_name_in_the_target_When_migrating_Then_one_line_refuses_and_the_target_is_unchanged()
    {
        using var source = new InMemoryStorage();
        Fill(source, "a");
        Fill(source, "b");
        using var target = new LiteDbStorage(_directory.File("target.db"));
        target.CreateOrOpenStudy(new StudyRecord("b", "/other", "sha256:zzz", "{}", null, "random", 0, "x", "1"));
        var before = File.ReadAllBytes(target.FilePath);

        var error = Assert.Throws<OptimizationInputException>(() => StoreMigration.Copy(source, target));
        Assert.Equal($"study 'b' already exists in {target.FilePath}; remove it there or choose another store (nothing was written)", error.Message);
        Assert.Equal(["b"], target.GetStudies().Select(s => s.Name));
        Assert.Equal(before, File.ReadAllBytes(target.FilePath));
        Assert.Throws<OptimizationInputException>(() => target.ImportStudy(StudySnapshot.Read(source, "b")));
    }

    [Fact]
    public void Given_all_studies_When_copied_Then_each_arrives_and_an_unknown_name_lists_the_known_ones()
    {
        using var source = new InMemoryStorage();
        Fill(source, "a");
        Fill(source, "b");
        using var target = new InMemoryStorage();
        Assert.Equal(["a", "b"], StoreMigration.Copy(source, target).Select(m => m.Name));
        Assert.Equal(Dump(source, "b"), Dump(target, "b"));

        var error = Assert.Throws<OptimizationInputException>(() => StoreMigration.Copy(source, new InMemoryStorage(), "c"));
        Assert.Equal("no study named 'c' in in-memory store (studies: a, b)", error.Message);
    }
}

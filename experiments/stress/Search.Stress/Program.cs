using System.Globalization;
using Search.Stress;

// The stress kit (experiments/stress/README.md):
//   kills   [--kills N] [--trials T] [--seed S] [--sampler gp] [--random-seed R]
//   workers [--workers W] [--runs R] [--trials T] [--seed S] [--sampler random]
// common:   [--work DIR] [--cli path/to/prunesearch.dll]
// Exit 0: every check passed; 1: a check failed; 2: bad arguments or a run that could not start.
try
{
    if (args.Length == 0 || args[0] is not ("kills" or "workers"))
        throw new StressException("usage: Search.Stress kills|workers [--option value]... (see experiments/stress/README.md)");
    var options = Options.Parse(args[1..]);
    string cli = CliProcess.Locate(options.Text("cli", null));
    string work = Path.GetFullPath(options.Text("work", null) ?? Directory.CreateTempSubdirectory("prunesearch-stress-").FullName);
    int trials = options.Int("trials", 16), seed = options.Int("seed", 5);
    int kills = options.Int("kills", 6), randomSeed = options.Int("random-seed", 1);
    int workers = options.Int("workers", 3), runs = options.Int("runs", 5);
    string sampler = options.Text("sampler", args[0] == "kills" ? "gp" : "random")!;
    options.EnsureAllUsed();

    Directory.CreateDirectory(work);
    void Log(string line) => Console.WriteLine(line);
    var cache = new StressCache(Path.Combine(work, "cache"));
    cache.Prepare(cli, Log);
    Log($"work folder {work}; cli {cli}");
    bool ok = args[0] == "kills"
        ? new KillTest(cli, work, cache, kills, trials, seed, sampler, new Random(randomSeed), Log).Run()
        : new WorkersTest(cli, work, cache, workers, runs, trials, seed, sampler, Log).Run();
    return ok ? 0 : 1;
}
catch (StressException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

/// <summary><c>--name value</c> pairs; every one must be known and used.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = [];

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new StressException($"expected --option value, got '{args[i]}'");
            o.values[args[i][2..]] = args[i + 1];
        }
        return o;
    }

    public string? Text(string name, string? fallback)
    {
        used.Add(name);
        return values.TryGetValue(name, out var v) ? v : fallback;
    }

    public int Int(string name, int fallback)
    {
        used.Add(name);
        if (!values.TryGetValue(name, out var v)) return fallback;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0
            ? n : throw new StressException($"--{name} must be a non-negative integer, got '{v}'");
    }

    public void EnsureAllUsed()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new StressException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
    }
}

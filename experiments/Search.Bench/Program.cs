using Search.Bench;
using Search.Model.Runtime;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project experiments/Search.Bench -- eval [windows] [seqlen]
//        dotnet run -c Release --project experiments/Search.Bench -- flap-check [pooled|flap-exact]  (JSON on stdout)
//        dotnet run -c Release --project experiments/Search.Bench -- trial [windows] [seqlen]
//        dotnet run -c Release --project experiments/Search.Bench -- levels [candidates] [seqlen]   (level-search candidate time split)
//        dotnet run -c Release --project experiments/Search.Bench -- scoring [shape] [layers] [trials]   (unit score cache, issue 18)
//        dotnet run -c Release --project experiments/Search.Bench -- search [trials]
//        dotnet run -c Release --project experiments/Search.Bench -- scale MODEL_DIR [windows] [seqlen] [dtype]
//        dotnet run -c Release --project experiments/Search.Bench -- tasks [items] [choices]   (story_next scoring on stories260K)
//        dotnet run -c Release --project experiments/Search.Bench -- dense-tasks MODEL_DIR [dataset] [seqlen] [final_tokens] [tasks]
TorchRuntime.Initialize(Environment.ProcessorCount);
string? shared = FindShared();
string what = args.Length > 0 ? args[0] : "eval";
switch (what)
{
    case "eval":
        EvalThroughput.Run(shared, args.Length > 1 ? int.Parse(args[1]) : 16, args.Length > 2 ? int.Parse(args[2]) : 256);
        break;
    case "flap-check":
        return FlapCheck.Run(shared, args.Length > 1 ? args[1] : "pooled");
    case "search":
        SearchThroughput.Run(shared, args.Length > 1 ? int.Parse(args[1]) : 24, RepoRoot());
        break;
    case "scale":
        ScaleThroughput.Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 16, args.Length > 3 ? int.Parse(args[3]) : 128,
            args.Length > 4 ? args[4] : "float32");
        break;
    case "tasks":
        TaskThroughput.Run(shared, args.Length > 1 ? int.Parse(args[1]) : 1000, args.Length > 2 ? int.Parse(args[2]) : 2);
        break;
    case "dense-tasks":
        DenseTaskRow.Run(args[1], args.Length > 2 ? args[2] : "tinystories", args.Length > 3 ? int.Parse(args[3]) : 128,
            args.Length > 4 ? long.Parse(args[4]) : 65536, args.Length > 5 ? args[5] : "story_next", null);
        break;
    case "rss-probe":
        RssProbe.Run(args[1], int.Parse(args[2]));
        break;
    case "scale-summary":
        ScaleSummary.Run(args[1], args[2]);
        break;
    case "scoring":
        ScoringCache.Run(args.Length > 1 ? args[1] : "tinyllama-1.1b", args.Length > 2 ? int.Parse(args[2]) : 4, args.Length > 3 ? int.Parse(args[3]) : 5);
        break;
    case "levels":
        LevelThroughput.Run(shared, args.Length > 1 ? int.Parse(args[1]) : 40, args.Length > 2 ? int.Parse(args[2]) : 128);
        break;
    case "trial":
        TrialTimeSplit.Run(shared, args.Length > 1 ? int.Parse(args[1]) : 64, args.Length > 2 ? int.Parse(args[2]) : 128);
        break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}' (eval, flap-check, trial, search, scale, tasks)");
        return 2;
}
return 0;

static string RepoRoot()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Search.sln"))) return d.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

static string? FindShared()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
    {
        var c = Path.Combine(d.FullName, "shared");
        if (Directory.Exists(Path.Combine(c, "models"))) return c;
    }
    return null;
}

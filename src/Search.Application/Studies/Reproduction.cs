using Search.Application.Reports;
using Search.Data;
using Search.Model;
using Search.Model.Runtime;
using Search.Objective;
using Search.Reporting;
using Search.Reporting.Experiments;
using Search.Reporting.Tables;
using Search.Training;

namespace Search.Application.Studies;

/// <summary>What <c>reproduce</c> was asked: an experiment file and where its results go.</summary>
/// <param name="Experiment">experiments/NAME.json (the .json may be left off).</param>
/// <param name="Results">Output folder; null: results/NAME under the repository root of the experiment file.</param>
/// <param name="ReportOnly">Only rewrite the report from the stored study (no model, no search).</param>
/// <param name="Threads">libtorch's CPU threads for the searches.</param>
public sealed record ReproduceRequest(string Experiment, string? Results, bool ReportOnly, string? DataDir, int Threads);

/// <summary>
/// <c>reproduce</c>: runs the experiment's searches (every arm, every search seed) into
/// results/NAME/study.db, resuming what is there, and writes results/NAME/report.md with the
/// plots and the published rows next to the measured ones.
/// </summary>
public static class Reproduction
{
    public static void Run(TextWriter output, ReproduceRequest request)
    {
        var spec = ExperimentSpec.Load(request.Experiment);
        string root = ExperimentSpec.RootOf(request.Experiment);
        if (!spec.Runnable)
            throw new ReportInputException($"experiment {spec.Name} records published numbers only and does not run here" +
                                           (spec.Command is null ? "" : $"; on a GPU box: {spec.Command}"));
        string outDir = request.Results ?? Path.Combine(root, "results", spec.Name);
        ReportWriter.EnsureWritable(outDir);
        string db = Path.Combine(outDir, "study.db");
        if (!request.ReportOnly)
        {
            spec.EnsureRunnable(root);
            EnsureBos(spec);
            TorchRuntime.Initialize(request.Threads);
            foreach (var arm in spec.Expanded)
                foreach (int seed in arm.SearchSeeds)
                    StudySearch.Run(output, Options(arm, root, db, request.DataDir, seed));
        }
        string rel(string p) => Path.GetRelativePath(root, p);
        var studies = spec.Expanded.SelectMany(arm => arm.SearchSeeds.Select(arm.StudyName)).ToList();
        string regenerate = studies.Count > 1
            ? $"prunesearch reproduce experiments/{spec.Name}.json --report-only"
            : $"prunesearch reproduce experiments/{spec.Name}.json --report-only  (or: prunesearch report --db {rel(db)} --study {studies[0]} --experiment experiments/{spec.Name}.json --out {rel(outDir)})";
        var files = studies.Count > 1
            ? StudyReports.WriteSeeds([db], studies, outDir, spec.Published, regenerate)
            : StudyReports.Write([db], studies[0], ReportFormat.Markdown, outDir, spec.Published, ReportWriter.DefaultTopK, regenerate);
        foreach (var f in files) output.WriteLine($"wrote {f}");
    }

    /// <summary>The bos mode is read by the data layer (which Search.Reporting's reader does not reference): checked here, naming the file and field.</summary>
    private static void EnsureBos(ExperimentSpec spec)
    {
        try
        {
            BosModes.Parse(spec.Bos);
        }
        catch (UserInputException e)
        {
            throw new ReportInputException($"experiment {spec.Source}: field 'bos': {e.Message}");
        }
    }

    /// <summary>The study run of one arm and search seed of an experiment, its paths resolved under <paramref name="root"/>.</summary>
    public static StudyRunOptions Options(ExperimentSpec spec, string root, string db, string? dataDir, int seed)
    {
        string model = ModelSources.IsBuiltName(spec.Model) ? spec.Model : ExperimentSpec.PathUnder(root, spec.Model);
        return new StudyRunOptions(model, ExperimentSpec.PathUnder(root, spec.Space), spec.StudyName(seed), db, spec.Trials, spec.Sampler, seed, spec.Ratio,
            spec.EvalDataset, spec.SeqLen, spec.Bos, spec.ProxyWindows, spec.Finalists, spec.PoolSize, dataDir,
            FinalTokens: spec.FinalTokens(StudyRunOptions.DefaultFinalTokens), Fitness: spec.Fitness);
    }
}

using System.CommandLine;
using Search.Data;
using Search.Training;
using Search.Model.Runtime;
using Search.Objective;
using Search.Reporting;
using Search.Reporting.Experiments;
using Search.Reporting.Tables;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch reproduce experiments/NAME</c>: runs the experiment's search into
/// results/NAME/study.db (resuming what is there) and writes results/NAME/report.md with the
/// plots and the published rows next to the measured ones.
/// </summary>
public static class ReproduceCommand
{
    public static Command Create(TextWriter output)
    {
        var experiment = new Argument<string>("experiment") { Description = "experiments/NAME.json (the .json may be left off)" };
        var results = new Option<string?>("--results") { Description = "output folder (default: results/NAME under the repository root of the experiment file)" };
        var reportOnly = new Option<bool>("--report-only") { Description = "only rewrite the report from the stored study (no model, no search)" };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var cmd = new Command("reproduce", "Run an experiment file (model, protocol, space, sampler, seed, trials) into results/NAME/study.db " +
                                           "and write its report; rerunning resumes the stored study instead of starting over.")
        {
            experiment, results, reportOnly, dataDir, threads,
        };
        cmd.SetAction(parse =>
        {
            string file = parse.GetValue(experiment)!;
            var spec = ExperimentSpec.Load(file);
            string root = ExperimentSpec.RootOf(file);
            if (!spec.Runnable)
                throw new ReportInputException($"experiment {spec.Name} records published numbers only and does not run here" +
                                               (spec.Command is null ? "" : $"; on a GPU box: {spec.Command}"));
            string outDir = parse.GetValue(results) ?? Path.Combine(root, "results", spec.Name);
            ReportWriter.EnsureWritable(outDir);
            string db = Path.Combine(outDir, "study.db");
            if (!parse.GetValue(reportOnly))
            {
                spec.EnsureRunnable(root);
                TorchRuntime.Initialize(parse.GetValue(threads));
                foreach (var arm in spec.Expanded)
                    foreach (int seed in arm.SearchSeeds)
                        SearchCommand.Run(output, Options(arm, root, db, parse.GetValue(dataDir), seed));
            }
            string rel(string p) => Path.GetRelativePath(root, p);
            var studies = spec.Expanded.SelectMany(arm => arm.SearchSeeds.Select(arm.StudyName)).ToList();
            string regenerate = studies.Count > 1
                ? $"prunesearch reproduce experiments/{spec.Name}.json --report-only"
                : $"prunesearch reproduce experiments/{spec.Name}.json --report-only  (or: prunesearch report --db {rel(db)} --study {studies[0]} --experiment experiments/{spec.Name}.json --out {rel(outDir)})";
            var files = studies.Count > 1
                ? ReportCommand.WriteSeeds([db], studies, outDir, spec.Published, regenerate)
                : ReportCommand.Write([db], studies[0], ReportFormat.Markdown, outDir, spec.Published, ReportWriter.DefaultTopK, regenerate);
            foreach (var f in files) output.WriteLine($"wrote {f}");
            return 0;
        });
        return cmd;
    }

    public static StudyRunOptions Options(ExperimentSpec spec, string root, string db, string? dataDir, int seed)
    {
        string model = ModelSources.IsBuiltName(spec.Model) ? spec.Model : ExperimentSpec.PathUnder(root, spec.Model);
        return new StudyRunOptions(model, ExperimentSpec.PathUnder(root, spec.Space), spec.StudyName(seed), db, spec.Trials, spec.Sampler, seed, spec.Ratio,
            spec.EvalDataset, spec.SeqLen, spec.Bos, spec.ProxyWindows, spec.Finalists, spec.PoolSize, dataDir,
            FinalTokens: spec.FinalTokens(StudyRunOptions.DefaultFinalTokens), Fitness: spec.Fitness);
    }
}

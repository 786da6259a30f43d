using System.CommandLine;
using Search.Application.Studies;
using Search.Model.Runtime;

namespace Search.Cli.Commands;

/// <summary>
/// <c>prunesearch search</c>: create or resume a study and run it to N trials in total. Every
/// proposal is stored as Running before it is evaluated, so a killed run resumes exactly.
/// The options and their reading are <see cref="SearchOptions"/>; the run is <see cref="StudySearch.Run"/>.
/// </summary>
public static class SearchCommand
{
    public static Command Create(TextWriter output)
    {
        var options = new SearchOptions();
        var cmd = new Command("search", "Search pruning configs (calibration set, metric mixture, per-layer ratios) under a parameter budget; " +
                                        "hand-set baselines (FLAP, Wanda-sp, magnitude) run in the same study. Rerun the same command to resume.");
        foreach (var option in options.All) cmd.Add(option);
        cmd.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(options.Threads)); // before llama.cpp or libtorch loads (OMP_WAIT_POLICY)
            StudySearch.Run(output, options.Read(parse));
            return 0;
        });
        return cmd;
    }
}

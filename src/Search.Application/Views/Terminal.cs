using Spectre.Console;

namespace Search.Application.Views;

/// <summary>
/// A progress bar on a terminal, nothing (or plain lines from the caller) otherwise: redirected
/// output and tests get clean text.
/// </summary>
public static class Terminal
{
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    public static IAnsiConsole ConsoleFor(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = IsTerminal(output) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal(output) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal(output) ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Redirected output (logs, CI, tests) has no width: do not wrap tables at 80 columns.
        if (!IsTerminal(output)) console.Profile.Width = 160;
        return console;
    }

    /// <summary>Runs <paramref name="work"/> with a tick callback (units done) behind a bar when interactive.</summary>
    public static T WithProgress<T>(TextWriter output, bool show, string label, int total, Func<Action<int>, T> work)
    {
        if (!show || !IsTerminal(output)) return work(_ => { });
        T result = default!;
        ConsoleFor(output).Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: total);
                result = work(n => task.Increment(n));
            });
        return result;
    }
}

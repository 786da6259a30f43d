using System.Text.Json;
using Search.Model;
using Search.Optimization.Trials;
using Search.Records;

namespace Search.Application.Stores;

/// <summary>
/// Reading a study store as a command does, with damage turned into one line that names the file.
/// A LiteDB file cut short throws <c>LiteException</c> ("page type must be collection page"), a
/// hand-edited document throws <c>InvalidCastException</c>/<c>FormatException</c>/<c>ArgumentException</c>
/// from the document mapping, an edited attribute <c>JsonException</c> when a table renders it —
/// none of them says which file. The storage layer names the file for what it detects itself (a cut
/// file, a foreign file, two trials with one number, a full disk); the rest is caught here, around
/// reads of the store only (<see cref="Read{T}"/>), so a cast error elsewhere is never blamed on the file.
/// </summary>
public static class StoreReads
{
    /// <summary>Runs <paramref name="read"/>; store damage becomes a <see cref="UserInputException"/> naming <paramref name="db"/>.</summary>
    public static T Read<T>(string db, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw Damaged(db, e);
        }
    }

    /// <summary>
    /// Deserializes every JSON attribute a table or report will render, so an edited one is reported
    /// here (file, trial, key) instead of halfway through printing a table.
    /// </summary>
    public static void CheckAttrs(string db, string study, IEnumerable<FrozenTrial> trials)
    {
        foreach (var t in trials)
        {
            Check<PlanSummary>(db, study, t, TrialAttrs.Plan);
            Check<TrialTimings>(db, study, t, TrialAttrs.Timings);
            Check<FinalScores>(db, study, t, TrialAttrs.Final);
            Check<SeedSpread>(db, study, t, TrialAttrs.SeedSpread);
            Check<ProtocolSummary>(db, study, t, TrialAttrs.Protocol);
        }
    }

    /// <summary>LiteDB's own errors always come from the file; the others only inside a store read.</summary>
    public static bool IsDamage(Exception e) =>
        e is LiteDB.LiteException or InvalidCastException or FormatException or JsonException or KeyNotFoundException
            or OverflowException or ArgumentException or NullReferenceException or EndOfStreamException;

    public static UserInputException Damaged(string db, Exception e) =>
        new($"{db}: the study store cannot be read (damaged, cut short or edited by hand): {e.GetType().Name}: {FirstLine(e.Message)}", e);

    private static void Check<T>(string db, string study, FrozenTrial trial, string key)
    {
        try
        {
            AttrJson.Deserialize<T>(trial.UserAttr(key));
        }
        catch (JsonException e)
        {
            throw new UserInputException(
                $"{db}: study '{study}' trial {trial.Number + 1} has an unreadable '{key}' attribute (edited by hand?): {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

using System.Globalization;
using Search.Model;

namespace Search.Pruning.Allocation;

/// <summary>The one check of a global pruning ratio: the removed fraction of prunable parameters, in [0, 1).</summary>
public static class PruningRatio
{
    /// <param name="what">How the user wrote it (e.g. "--ratio"), for the message.</param>
    public static double Ensure(double ratio, string what = "pruning ratio")
    {
        if (!(ratio >= 0 && ratio < 1))
            throw new UserInputException($"{what} must be in [0, 1) (got {ratio.ToString(CultureInfo.InvariantCulture)})");
        return ratio;
    }
}

using Search.Model;
using Search.Pruning.Metrics;

namespace Search.Pruning.Allocation;

/// <summary>
/// Makes a plan meet the global parameter budget. Searched ratio vectors keep their mean at the
/// target level, but KV groups are coarse (a 4-group layer cannot lose 20% of its heads) and attention
/// and MLP units cost differently, so the removed parameters drift from the target; FLAP's published
/// rules drift too (AL-AM removes up to one unit more, UL-UM under GQA fewer) and their "-exact"
/// twins are this repair applied to them. The repair moves MLP channels — the finest unit — across layers by score (remove the
/// globally lowest-scoring kept channels, or restore the highest-scoring removed ones) until the
/// removed count is within half a channel's cost of the target: the searched shape is kept, the
/// budget becomes a hard constraint. Scores are per-layer standardized, so they compare across layers.
/// </summary>
public static class BudgetRepair
{
    public static PruningPlan Repair(Transformer model, IReadOnlyList<LayerUnitScores> scores, PruningPlan plan, double targetRatio)
    {
        int layers = model.Layers.Count;
        var costs = model.Layers.Select(LayerUnitCosts.Of).ToArray();
        var kept = plan.Layers.Select(l => new SortedSet<int>(l.KeptChannels)).ToArray();
        double target = targetRatio * plan.PrunableParams;
        long removed = plan.RemovedParams;

        bool Within(long c) => Math.Abs(removed - target) <= c / 2.0;
        long maxCost = costs.Max(c => c.ChannelCost);
        if (maxCost == 0 || Within(maxCost)) return plan;

        if (removed < target)
        {
            // Remove the lowest-scoring kept channels (a block keeps at least one channel).
            var candidates = Enumerable.Range(0, layers)
                .SelectMany(l => kept[l].Select(c => (Layer: l, Channel: c, Score: scores[l].Channels[c])))
                .OrderBy(x => x.Score).ThenBy(x => x.Layer).ThenBy(x => x.Channel);
            foreach (var (l, c, _) in candidates)
            {
                if (removed >= target - costs[l].ChannelCost / 2.0) break;
                if (kept[l].Count <= 1) continue;
                kept[l].Remove(c);
                removed += costs[l].ChannelCost;
            }
        }
        else
        {
            // A block the plan removed whole (depth pruning) stays removed: only partly kept blocks take channels back.
            var candidates = Enumerable.Range(0, layers).Where(l => kept[l].Count > 0)
                .SelectMany(l => Enumerable.Range(0, costs[l].Channels).Where(c => !kept[l].Contains(c))
                    .Select(c => (Layer: l, Channel: c, Score: scores[l].Channels[c])))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Layer).ThenBy(x => x.Channel);
            foreach (var (l, c, _) in candidates)
            {
                if (removed <= target + costs[l].ChannelCost / 2.0) break;
                kept[l].Add(c);
                removed -= costs[l].ChannelCost;
            }
        }
        if (Math.Abs(removed - target) > maxCost)
            throw new UserInputException(
                $"the {plan.Structure} plan cannot meet the {targetRatio:P0} budget even after moving MLP channels " +
                $"(removed {removed:N0} of {plan.PrunableParams:N0} prunable parameters)");
        var newLayers = plan.Layers.Select((l, i) => l with { KeptChannels = kept[i].ToArray() }).ToList();
        return plan with
        {
            Structure = plan.Structure + "+budget",
            TargetRatio = targetRatio,
            RemovedParams = removed,
            AchievedRatio = (double)removed / plan.PrunableParams,
            Layers = newLayers,
        };
    }
}

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
    /// <param name="widthMultiple">Channels move N at a time from one layer (<see cref="WidthRounding"/>), so a plan
    /// whose layers keep multiples of N still does; the budget then holds within half of N channels.
    /// With N = 1 every step moves the single globally lowest (highest) scoring channel, as described above.</param>
    public static PruningPlan Repair(Transformer model, IReadOnlyList<LayerUnitScores> scores, PruningPlan plan, double targetRatio,
        int widthMultiple = 1)
    {
        int layers = model.Layers.Count, n = widthMultiple;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(widthMultiple), n, "width multiple must be at least 1");
        var costs = model.Layers.Select(LayerUnitCosts.Of).ToArray();
        var kept = plan.Layers.Select(l => new SortedSet<int>(l.KeptChannels)).ToArray();
        double target = targetRatio * plan.PrunableParams;
        long removed = plan.RemovedParams;

        long maxCost = costs.Max(c => c.ChannelCost);
        if (maxCost == 0 || Math.Abs(removed - target) <= n * maxCost / 2.0) return plan;

        if (removed < target)
        {
            // Remove the lowest-scoring kept channels, N at a time from the layer whose next N score lowest
            // (mean score; ties to the lower layer); a block keeps at least N channels.
            var queues = Enumerable.Range(0, layers).Select(l => new ChannelQueue(
                kept[l].OrderBy(c => scores[l].Channels[c]).ThenBy(c => c).ToList(), scores[l].Channels)).ToArray();
            while (Next(queues, l => kept[l].Count >= 2 * n, n, lowest: true) is int l)
            {
                if (removed >= target - n * costs[l].ChannelCost / 2.0) break;
                foreach (int c in queues[l].Take(n)) kept[l].Remove(c);
                removed += n * costs[l].ChannelCost;
            }
        }
        else
        {
            // Restore the highest-scoring removed channels, N at a time. A block the plan removed whole
            // (depth pruning) stays removed: only partly kept blocks take channels back.
            var queues = Enumerable.Range(0, layers).Select(l => new ChannelQueue(kept[l].Count == 0
                ? []
                : Enumerable.Range(0, costs[l].Channels).Where(c => !kept[l].Contains(c))
                    .OrderByDescending(c => scores[l].Channels[c]).ThenBy(c => c).ToList(), scores[l].Channels)).ToArray();
            while (Next(queues, _ => true, n, lowest: false) is int l)
            {
                if (removed <= target + n * costs[l].ChannelCost / 2.0) break;
                foreach (int c in queues[l].Take(n)) kept[l].Add(c);
                removed -= n * costs[l].ChannelCost;
            }
        }
        if (Math.Abs(removed - target) > n * maxCost)
            throw new UserInputException(
                $"the {plan.Structure} plan cannot meet the {targetRatio:P0} budget even after moving MLP channels" +
                (n > 1 ? $" {n} at a time" : "") + $" (removed {removed:N0} of {plan.PrunableParams:N0} prunable parameters)");
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

    /// <summary>
    /// The layer whose next <paramref name="n"/> queued channels have the lowest (or highest) mean
    /// score among the eligible layers with that many left; ties go to the lower layer. With n = 1 this
    /// walks all layers' channels in (score, layer, channel) order.
    /// </summary>
    private static int? Next(ChannelQueue[] queues, Func<int, bool> eligible, int n, bool lowest)
    {
        int? best = null;
        double bestKey = 0;
        for (int l = 0; l < queues.Length; l++)
        {
            if (queues[l].Count < n || !eligible(l)) continue;
            double key = queues[l].MeanOfNext(n);
            if (best is null || (lowest ? key < bestKey : key > bestKey))
            {
                best = l;
                bestKey = key;
            }
        }
        return best;
    }

    /// <summary>One layer's channels in the order the repair moves them; <see cref="Take"/> dequeues.</summary>
    private sealed class ChannelQueue(List<int> order, double[] scores)
    {
        private int next;

        public int Count => order.Count - next;

        public double MeanOfNext(int n)
        {
            double sum = 0;
            for (int i = next; i < next + n; i++) sum += scores[order[i]];
            return sum / n;
        }

        public List<int> Take(int n)
        {
            var taken = order.GetRange(next, n);
            next += n;
            return taken;
        }
    }
}

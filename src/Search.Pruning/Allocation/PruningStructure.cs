namespace Search.Pruning.Allocation;

/// <summary>How many units each layer loses (docs/methods.md §3). UL = uniform across layers, AL = adaptive;
/// UM/MM/AM = uniform / manual (head count fixed, channels take the rest) / adaptive across modules.</summary>
public enum PruningStructure
{
    /// <summary>UL-UM: every layer loses ⌊p·G⌋ KV groups and ⌊p·I⌋ channels.</summary>
    UniformLayersUniformModules,
    /// <summary>UL-MM: every layer loses ⌊p·G⌋ KV groups; each layer loses the same share of channels, which fills the budget.</summary>
    UniformLayersManualModules,
    /// <summary>AL-MM: ⌊p·ΣG⌋ KV groups go globally by score; channels fill the remaining budget globally by score.</summary>
    AdaptiveLayersManualModules,
    /// <summary>AL-AM (FLAP default): every unit of every layer ranked together by standardized score, cost-weighted budget.</summary>
    AdaptiveLayersAdaptiveModules,
}

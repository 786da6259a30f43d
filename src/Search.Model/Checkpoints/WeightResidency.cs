namespace Search.Model.Checkpoints;

/// <summary>Where a loaded checkpoint's weights live (see <see cref="Checkpoint.Load"/>).</summary>
public enum WeightResidency
{
    /// <summary>Views of the memory-mapped safetensors files, in the stored dtype; converted one layer at a time on use.</summary>
    Mapped,
    /// <summary>Copied into memory in the compute dtype on the compute device at load.</summary>
    Resident,
}

namespace Search.Training.Embedded;

/// <summary>
/// A built embedded model and corpus. <see cref="ModelDir"/> is an HF folder (config.json,
/// model.safetensors, tokenizer.model); <see cref="DataDir"/> holds <c>synthetic/{train,valid,test}.txt</c>,
/// laid out like the shared data folder.
/// </summary>
public sealed record EmbeddedAssets(string ModelDir, string DataDir);

namespace Search.Model.Export;

/// <summary>
/// The Python config class shipped next to a DeciLM export. vLLM loads model_type "nemotron-nas"
/// only with trust_remote_code, through the folder's own config class (transformers has none), and
/// its nemotron_nas.py reads <c>block_configs[i].attention.no_op / .n_heads_in_group</c> and
/// <c>block_configs[i].ffn.no_op</c>, then <c>ffn.ffn_mult</c> if that attribute exists (rounding
/// the width up to a multiple of 256) or else <c>ffn.intermediate_size</c>. NVIDIA's published
/// class always has ffn_mult; this one has only what the file says, so the exact width is used.
/// Our own code, written for this export.
/// </summary>
internal static class DeciLmConfigClass
{
    public const string FileName = "configuration_prunesearch_decilm.py";
    public const string AutoConfig = "configuration_prunesearch_decilm.PruneSearchDeciLMConfig";

    public const string Source = """
        # Written by PruneSearch for a DeciLM / Nemotron-NAS export with exact per-layer widths.
        # block_configs entries become objects with attribute access (what vLLM's nemotron_nas.py
        # reads: attention.no_op, attention.n_heads_in_group, ffn.no_op, ffn.intermediate_size) and
        # are written back as plain dicts.
        from transformers import LlamaConfig


        class _Section:
            def __init__(self, values):
                self.__dict__.update(values)

            def to_dict(self):
                return dict(self.__dict__)


        class _Block:
            def __init__(self, values):
                self.attention = _Section(values["attention"])
                self.ffn = _Section(values["ffn"])

            def to_dict(self):
                return {"attention": self.attention.to_dict(), "ffn": self.ffn.to_dict()}


        class PruneSearchDeciLMConfig(LlamaConfig):
            model_type = "nemotron-nas"

            def __init__(self, block_configs=None, **kwargs):
                super().__init__(**kwargs)
                self.block_configs = [b if isinstance(b, _Block) else _Block(b) for b in (block_configs or [])]

            def to_dict(self):
                output = super().to_dict()
                output["block_configs"] = [b.to_dict() for b in self.block_configs]
                return output

        """;
}

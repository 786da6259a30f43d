namespace Search.Model.Tokenizers;

/// <summary>
/// The doubly linked list of BPE symbols, stored as parallel arrays (no per-symbol objects:
/// a 1.3 MB text has ~1.3 M of them). A symbol is a slice [Start, Start+Length) of the
/// normalized text; a merged-away symbol has Length 0.
/// </summary>
internal sealed class SymbolList(int capacity)
{
    public int[] Start { get; } = new int[capacity];

    public int[] Length { get; } = new int[capacity];

    public int[] Prev { get; } = new int[capacity];

    public int[] Next { get; } = new int[capacity];

    // Allocated only when a user-defined piece is matched: they never take part in merges.
    private bool[]? _frozen;

    public int Count { get; private set; }

    public void Add(int start, int length, bool frozen)
    {
        int i = Count++;
        Start[i] = start;
        Length[i] = length;
        Prev[i] = i - 1;
        Next[i] = -1;
        if (i > 0)
        {
            Next[i - 1] = i;
        }

        if (frozen)
        {
            _frozen ??= new bool[Start.Length];
            _frozen[i] = true;
        }
    }

    public bool Frozen(int i) => _frozen is not null && _frozen[i];
}

using System.Globalization;
using System.Text;

namespace Search.Model.Tokenizers;

/// <summary>
/// SentencePiece BPE (<c>tokenizer.model</c>), written to reproduce sentencepiece's
/// bpe_model.cc + normalizer.cc exactly. Microsoft.ML.Tokenizers' LlamaTokenizer was not used
/// because it ignores remove_extra_whitespaces, returned nothing for a one-character input and
/// broke one BPE tie differently from sentencepiece (docs/toolchain.md 8).
/// </summary>
public sealed class SentencePieceBpeTokenizer : ITextTokenizer
{
    private readonly SentencePieceModel _model;
    private readonly SentencePieceNormalizer _normalizer;

    // NORMAL, USER_DEFINED and UNUSED pieces: the only possible merge results.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _mergeable;

    // CONTROL, UNKNOWN and BYTE pieces: looked up first when a symbol becomes an id, never merged.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _reserved;

    private readonly int[] _byteToId = new int[256];
    private readonly int[] _idToByte;
    private readonly int _unkId;
    private readonly bool _hasUnused;

    // User-defined pieces by first char, longest first, for the longest-prefix split.
    private readonly Dictionary<char, string[]>? _userDefinedByFirstChar;

    public SentencePieceBpeTokenizer(SentencePieceModel model, string fingerprint)
    {
        if (model.ModelType != SentencePieceModel.ModelTypeBpe)
        {
            throw new NotSupportedException($"model_type {model.ModelType} is not BPE (2)");
        }

        // Non-identity rules (nmt_nfkc etc.) live in a compiled trie we do not implement.
        if (model.PrecompiledCharsMapLength > 0)
        {
            throw new NotSupportedException($"normalizer '{model.NormalizerName}' with a precompiled chars map is not supported (identity only)");
        }

        if (model.TreatWhitespaceAsSuffix)
        {
            throw new NotSupportedException("treat_whitespace_as_suffix is not supported");
        }

        _model = model;
        Fingerprint = fingerprint;
        _normalizer = new SentencePieceNormalizer(model.AddDummyPrefix, model.RemoveExtraWhitespaces, model.EscapeWhitespaces);

        var mergeable = new Dictionary<string, int>(StringComparer.Ordinal);
        var reserved = new Dictionary<string, int>(StringComparer.Ordinal);
        var userDefined = new List<string>();
        _unkId = -1;
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            string piece = model.Pieces[id];
            SentencePieceType type = model.Types[id];
            bool isMergeable = type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused;
            if (!(isMergeable ? mergeable : reserved).TryAdd(piece, id))
            {
                throw new FormatException($"piece '{piece}' is defined twice");
            }

            _hasUnused |= type == SentencePieceType.Unused;
            if (type == SentencePieceType.UserDefined)
            {
                userDefined.Add(piece);
            }
            else if (type == SentencePieceType.Unknown)
            {
                _unkId = id;
            }
        }

        // sentencepiece takes unk from the UNKNOWN piece and refuses a model without one.
        if (_unkId < 0)
        {
            throw new FormatException("no piece of type UNKNOWN");
        }

        _mergeable = mergeable.GetAlternateLookup<ReadOnlySpan<char>>();
        _reserved = reserved.GetAlternateLookup<ReadOnlySpan<char>>();

        _idToByte = new int[model.Pieces.Count];
        Array.Fill(_idToByte, -1);
        for (int b = 0; b < 256; b++)
        {
            // Same lookup as sentencepiece's PieceToId(ByteToPiece(b)): a missing byte piece gives unk.
            _byteToId[b] = PieceToId(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
            if (model.Types[_byteToId[b]] == SentencePieceType.Byte)
            {
                _idToByte[_byteToId[b]] = b;
            }
        }

        if (userDefined.Count > 0)
        {
            _userDefinedByFirstChar = userDefined
                .GroupBy(p => p[0])
                .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Length).ToArray());
        }

        if (model.BosId < 0 || model.BosId >= model.Pieces.Count)
        {
            throw new FormatException($"bos_id {model.BosId} is not a piece id");
        }
    }

    public int VocabSize => _model.Pieces.Count;

    public int BosId => _model.BosId;

    public int? EosId => _model.EosId >= 0 && _model.EosId < _model.Pieces.Count ? _model.EosId : null;

    public string Fingerprint { get; }

    public SentencePieceModel Model => _model;

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = _normalizer.Normalize(text);
        if (normalized.Length == 0)
        {
            return [];
        }

        var symbols = new SymbolList(normalized.Length);
        SplitIntoInitialSymbols(normalized, symbols);

        Dictionary<string, (string Left, string Right)>? revMerge = _hasUnused ? new(StringComparer.Ordinal) : null;
        var agenda = new PriorityQueue<SymbolPair, SymbolPair>(Math.Max(16, symbols.Count), SymbolPairOrder.Instance);
        for (int i = 1; i < symbols.Count; i++)
        {
            MaybeAddPair(normalized, symbols, agenda, revMerge, i - 1, i);
        }

        while (agenda.TryDequeue(out SymbolPair top, out _))
        {
            // Stale: one side was merged away or grew since this pair was queued.
            int leftLen = symbols.Length[top.Left];
            int rightLen = symbols.Length[top.Right];
            if (leftLen == 0 || rightLen == 0 || leftLen + rightLen != top.Size)
            {
                continue;
            }

            symbols.Length[top.Left] = top.Size;
            int next = symbols.Next[top.Right];
            symbols.Next[top.Left] = next;
            if (next >= 0)
            {
                symbols.Prev[next] = top.Left;
            }

            symbols.Length[top.Right] = 0;
            MaybeAddPair(normalized, symbols, agenda, revMerge, symbols.Prev[top.Left], top.Left);
            MaybeAddPair(normalized, symbols, agenda, revMerge, top.Left, next);
        }

        var ids = new List<int>(symbols.Count);
        bool prevUnk = false;
        for (int i = 0; i >= 0; i = symbols.Next[i])
        {
            Emit(normalized.AsSpan(symbols.Start[i], symbols.Length[i]), ids, revMerge, ref prevUnk);
        }

        return [.. ids];
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var pendingBytes = new List<byte>();

        // sentencepiece strips the dummy-prefix space from the first piece that produces text.
        bool atStart = true;
        bool startSpaceSeen = false;
        bool stripLeadingSpace = _model.AddDummyPrefix || _model.RemoveExtraWhitespaces;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_model.Pieces.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside 0..{_model.Pieces.Count - 1}");
            }

            if (_idToByte[id] >= 0)
            {
                pendingBytes.Add((byte)_idToByte[id]);
                continue;
            }

            FlushBytes(pendingBytes, text);
            if (startSpaceSeen || text.Length > 0)
            {
                atStart = false;
            }

            startSpaceSeen = false;
            SentencePieceType type = _model.Types[id];
            if (type == SentencePieceType.Control)
            {
                continue;
            }

            if (type == SentencePieceType.Unknown)
            {
                text.Append(_model.UnkSurface);
                continue;
            }

            ReadOnlySpan<char> piece = _model.Pieces[id];
            if (atStart && stripLeadingSpace && piece.Length > 0 && piece[0] == SentencePieceNormalizer.SpaceSymbol)
            {
                piece = piece[1..];

                // With remove_extra_whitespaces every leading space is spurious, so keep stripping.
                startSpaceSeen = !_model.RemoveExtraWhitespaces;
            }

            foreach (char c in piece)
            {
                text.Append(c == SentencePieceNormalizer.SpaceSymbol ? ' ' : c);
            }
        }

        FlushBytes(pendingBytes, text);
        return text.ToString();
    }

    private int PieceToId(ReadOnlySpan<char> piece)
    {
        if (_reserved.TryGetValue(piece, out int id) || _mergeable.TryGetValue(piece, out id))
        {
            return id;
        }

        return _unkId;
    }

    private void SplitIntoInitialSymbols(string normalized, SymbolList symbols)
    {
        int pos = 0;
        while (pos < normalized.Length)
        {
            int length = 0;
            bool freeze = false;
            if (_userDefinedByFirstChar is not null && _userDefinedByFirstChar.TryGetValue(normalized[pos], out string[]? candidates))
            {
                foreach (string candidate in candidates)
                {
                    if (normalized.AsSpan(pos).StartsWith(candidate, StringComparison.Ordinal))
                    {
                        length = candidate.Length;
                        freeze = true;
                        break;
                    }
                }
            }

            if (length == 0)
            {
                // One Unicode character; the normalizer already replaced lone surrogates.
                length = char.IsHighSurrogate(normalized[pos]) && pos + 1 < normalized.Length ? 2 : 1;
            }

            symbols.Add(pos, length, freeze);
            pos += length;
        }
    }

    private void MaybeAddPair(
        string normalized,
        SymbolList symbols,
        PriorityQueue<SymbolPair, SymbolPair> agenda,
        Dictionary<string, (string Left, string Right)>? revMerge,
        int left,
        int right)
    {
        if (left < 0 || right < 0 || symbols.Frozen(left) || symbols.Frozen(right))
        {
            return;
        }

        // Symbols are contiguous slices of the normalized text, so the merged piece is a slice too.
        int size = symbols.Length[left] + symbols.Length[right];
        ReadOnlySpan<char> merged = normalized.AsSpan(symbols.Start[left], size);
        if (!_mergeable.TryGetValue(merged, out int id))
        {
            return;
        }

        var pair = new SymbolPair(left, right, size, _model.Scores[id]);
        agenda.Enqueue(pair, pair);

        // An UNUSED piece may be formed but not emitted: remember how to split it back.
        if (revMerge is not null && _model.Types[id] == SentencePieceType.Unused)
        {
            revMerge[merged.ToString()] = (
                normalized.Substring(symbols.Start[left], symbols.Length[left]),
                normalized.Substring(symbols.Start[right], symbols.Length[right]));
        }
    }

    private void Emit(ReadOnlySpan<char> piece, List<int> ids, Dictionary<string, (string Left, string Right)>? revMerge, ref bool prevUnk)
    {
        int id = PieceToId(piece);
        if (revMerge is not null && _model.Types[id] == SentencePieceType.Unused
            && revMerge.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out var parts))
        {
            Emit(parts.Left, ids, revMerge, ref prevUnk);
            Emit(parts.Right, ids, revMerge, ref prevUnk);
            return;
        }

        bool isUnk = id == _unkId;
        if (isUnk && _model.ByteFallback)
        {
            Span<byte> buffer = stackalloc byte[64];
            int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
            Span<byte> bytes = maxBytes <= buffer.Length ? buffer : new byte[maxBytes];
            int count = Encoding.UTF8.GetBytes(piece, bytes);
            foreach (byte b in bytes[..count])
            {
                ids.Add(_byteToId[b]);
            }
        }
        else if (!(isUnk && prevUnk))
        {
            // Without byte fallback sentencepiece fuses a run of unknown pieces into one <unk>.
            ids.Add(id);
        }

        prevUnk = isUnk;
    }

    private static void FlushBytes(List<byte> pending, StringBuilder text)
    {
        // Like sentencepiece, each byte of an invalid UTF-8 sequence becomes its own U+FFFD.
        ReadOnlySpan<byte> bytes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
                bytes = bytes[consumed..];
            }
            else
            {
                text.Append('\uFFFD');
                bytes = bytes[1..];
            }
        }

        pending.Clear();
    }
}

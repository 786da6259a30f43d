using System.Text;

namespace Search.Model.Tokenizers;

/// <summary>
/// SentencePiece's normalizer for the "identity" rule set (no precompiled chars map), as in
/// sentencepiece normalizer.cc: only U+0020 counts as whitespace; with
/// remove_extra_whitespaces, leading and trailing spaces are dropped and runs collapse to one;
/// the dummy prefix is added only when something is left; spaces become U+2581.
/// </summary>
public sealed class SentencePieceNormalizer(bool addDummyPrefix, bool removeExtraWhitespaces, bool escapeWhitespaces)
{
    /// <summary>U+2581 LOWER ONE EIGHTH BLOCK, sentencepiece's visible space.</summary>
    public const char SpaceSymbol = '\u2581';

    public string Normalize(string input)
    {
        int start = 0;
        if (removeExtraWhitespaces)
        {
            while (start < input.Length && input[start] == ' ')
            {
                start++;
            }
        }

        // Empty (or all-space) input yields nothing at all, not a lone dummy prefix.
        if (start == input.Length)
        {
            return "";
        }

        char space = escapeWhitespaces ? SpaceSymbol : ' ';
        var sb = new StringBuilder(input.Length - start + 1);
        if (addDummyPrefix)
        {
            sb.Append(space);
        }

        bool prevSpace = removeExtraWhitespaces;
        for (int i = start; i < input.Length; i++)
        {
            char c = input[i];
            if (c == ' ')
            {
                if (!prevSpace)
                {
                    sb.Append(space);
                }

                prevSpace = removeExtraWhitespaces;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
                {
                    sb.Append(c).Append(input[i + 1]);
                    i++;
                }
                else
                {
                    // A lone surrogate has no UTF-8 form; sentencepiece sees malformed input as U+FFFD.
                    sb.Append('\uFFFD');
                }
            }
            else
            {
                sb.Append(c);
            }

            prevSpace = false;
        }

        if (removeExtraWhitespaces)
        {
            // sentencepiece strips trailing space symbols from the *normalized* text, so a literal
            // U+2581 at the end of the input goes too; the dummy prefix is safe because a
            // non-space character follows it.
            int end = sb.Length;
            while (end > 0 && sb[end - 1] == space)
            {
                end--;
            }

            sb.Length = end;
        }

        return sb.ToString();
    }
}

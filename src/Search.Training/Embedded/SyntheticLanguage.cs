using System.Text;
using L = Search.Training.Embedded.SyntheticLexicon;

namespace Search.Training.Embedded;

/// <summary>
/// The embedded corpus: short English-like stories from <see cref="StoryWriter"/>'s grammar, one
/// story per line. Each line starts with a space, as in WikiText: a SentencePiece tokenizer then
/// gives the first word its "▁word" piece whether a loader tokenizes the file whole or line by line.
/// Everything is a pure function of the seed (our own <see cref="SplitMix64"/>).
/// </summary>
public static class SyntheticLanguage
{
    public const string Folder = "synthetic";
    public static readonly string[] Splits = ["train", "valid", "test"];

    /// <summary>Punctuation marks; they follow a word without a space.</summary>
    public const string Punctuation = ".,!?";

    /// <summary>Words that can open a sentence, in their capitalized form (names are capitalized already).</summary>
    public static readonly string[] SentenceStarters =
        ["Once", "There", "One", "Then", "The", "He", "She", "They", "Did", "Does", "Yes", "No", "From"];

    /// <summary>Every surface word of the language in a fixed order (lexicon order, first occurrence wins).</summary>
    public static readonly IReadOnlyList<string> Words = BuildWords();

    public static readonly IReadOnlySet<string> WordSet = new HashSet<string>(Words, StringComparer.Ordinal);

    private static List<string> BuildWords()
    {
        var all = new List<string>();
        all.AddRange(L.Names.Select(n => n.Text));
        all.AddRange(L.Creatures.SelectMany(n => new[] { n.Singular, n.Plural }));
        all.AddRange(L.Things.SelectMany(n => new[] { n.Singular, n.Plural }));
        all.AddRange(L.Places);
        all.AddRange(L.Adjectives);
        all.AddRange(L.Feelings);
        foreach (var v in L.ThingVerbs.Concat(L.CharacterVerbs).Concat(L.IntransitiveVerbs).Append(L.Go).Append(L.Be))
            all.AddRange([v.Base, v.Third, v.Past]);
        // These only ever have a singular subject, so their base form never occurs.
        foreach (var v in new[] { L.Give, L.Say, L.Live, L.Have }) all.AddRange([v.Third, v.Past]);
        all.AddRange(L.Adverbs);
        all.AddRange(L.FunctionWords);
        all.AddRange(SentenceStarters);
        // Multi-word entries ("box of crayons", "all day") contribute their words.
        return all.SelectMany(w => w.Split(' ')).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Stories (one per line, each line " story\n") until the text has at least <paramref name="minChars"/> characters.</summary>
    public static string Generate(ulong seed, int minChars)
    {
        var rng = new SplitMix64(seed);
        var sb = new StringBuilder(minChars + 1024);
        while (sb.Length < minChars)
            sb.Append(' ').Append(StoryWriter.Write(rng)).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Writes <c>{dataDir}/synthetic/{train,valid,test}.txt</c>. Each split has its own PRNG stream
    /// derived from <paramref name="seed"/>, so the splits are independent draws of the same language.
    /// </summary>
    public static void WriteCorpus(string dataDir, ulong seed, int trainChars, int validChars, int testChars)
    {
        string dir = Path.Combine(dataDir, Folder);
        Directory.CreateDirectory(dir);
        int[] sizes = [trainChars, validChars, testChars];
        for (int i = 0; i < Splits.Length; i++)
            File.WriteAllText(Path.Combine(dir, Splits[i] + ".txt"), Generate(SplitSeed(seed, i), sizes[i]), new UTF8Encoding(false));
    }

    /// <summary>The generator seed of split <paramref name="splitIndex"/> (0 train, 1 valid, 2 test).</summary>
    public static ulong SplitSeed(ulong seed, int splitIndex) => SplitMix64.Stream(seed, (ulong)splitIndex + 1).NextUInt64();
}

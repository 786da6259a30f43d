using System.Text;
using L = Search.Training.Embedded.SyntheticLexicon;

namespace Search.Training.Embedded;

/// <summary>
/// Writes one story of the synthetic language: a probabilistic grammar over a protagonist, maybe a
/// friend, a thing and a place. The structure a model can learn beyond bigrams: a story keeps one
/// tense, names and the thing recur ("a ball" first, "the ball" later), pronouns agree with the
/// character's gender, verbs and "was/were" agree with the subject's number, "a/an" with the next word.
/// </summary>
internal sealed class StoryWriter
{
    private sealed record Character(CharacterName Name, Noun Species, string Adjective);

    private readonly SplitMix64 rng;
    private readonly bool past;
    private readonly Character hero;
    private Character? friend;
    private Noun? thing;
    private bool thingPlural;
    private string? place;
    private Character? lastSubject;
    private readonly List<string> sentences = [];

    private StoryWriter(SplitMix64 rng)
    {
        this.rng = rng;
        past = rng.Chance(0.7);
        hero = NewCharacter(exclude: null);
    }

    public static string Write(SplitMix64 rng) => new StoryWriter(rng).Compose();

    private string Compose()
    {
        Intro();
        int events = 4 + rng.NextInt(6);
        for (int i = 0; i < events; i++) Event();
        Ending();
        return string.Join(" ", sentences);
    }

    private Character NewCharacter(Character? exclude)
    {
        CharacterName name;
        do name = ZipfChoice.Pick(L.Names, rng); while (exclude is not null && name == exclude.Name);
        return new Character(name, ZipfChoice.Pick(L.Creatures, rng), ZipfChoice.Pick(L.Adjectives, rng));
    }

    private void Intro()
    {
        if (past)
            Say("once", "upon", "a", "time", ",", "there", "was", A(hero.Adjective), hero.Adjective, hero.Species.Singular,
                "named", hero.Name.Text, ".");
        else
            Say("there", "is", A(hero.Adjective), hero.Adjective, hero.Species.Singular, "named", hero.Name.Text, ".");
        lastSubject = hero;
        if (rng.Chance(0.5))
        {
            string adj = ZipfChoice.Pick(L.Adjectives, rng), home = ZipfChoice.Pick(L.Places, rng);
            Say(Subject(hero), V(L.Live), "in", A(adj), adj, home, ".");
        }
    }

    private void Event()
    {
        switch (rng.NextInt(12))
        {
            case 0 or 1: // go somewhere
                place = ZipfChoice.Pick(L.Places, rng);
                Say([.. rng.Chance(0.5) ? new[] { "one", "day", "," } : ["then", ","], Subject(Focus()), V(L.Go), "to", "the", place, "."]);
                break;
            case 2 or 3: // find / have / verb a thing
                if (thing is null) IntroduceThing();
                else if (rng.Chance(0.3)) Say(Subject(hero), V(ZipfChoice.Pick(L.ThingVerbs, rng)), hero.Name.Female ? "her" : "his", ThingWord(), ".");
                else if (rng.Chance(0.3)) Say(Subject(Focus()), V(L.ThingVerbs[2]), "the", ThingWord(), "very", "much", ".");
                else Say(Subject(Focus()), V(ZipfChoice.Pick(L.ThingVerbs, rng)), "the", ThingWord(), ".");
                break;
            case 4: // describe the thing, agreeing in number
                if (thing is null) { IntroduceThing(); break; }
                string look = ZipfChoice.Pick(L.Adjectives, rng);
                Say("the", ThingWord(), Be(thingPlural), rng.Chance(0.4) ? "very" : null, look, ".");
                break;
            case 5 or 6: // meet a friend, or act on the friend
                if (friend is null)
                {
                    friend = NewCharacter(hero);
                    Say(Subject(hero), V(L.CharacterVerbs[1]), A(friend.Adjective), friend.Adjective, friend.Species.Singular,
                        "named", friend.Name.Text, ".");
                }
                else
                {
                    var (s, o) = rng.Chance(0.5) ? (hero, friend) : (friend, hero);
                    if (rng.Chance(0.3)) Say(Subject(s), V(ZipfChoice.Pick(L.IntransitiveVerbs, rng)), "with", Object(o, s), ".");
                    else Say(Subject(s), V(ZipfChoice.Pick(L.CharacterVerbs, rng)), Object(o, s), ".");
                }
                break;
            case 7: // feelings
                Say(Subject(Focus()), Be(false), "very", ZipfChoice.Pick(L.Feelings, rng), ".");
                break;
            case 8: // together: a plural subject
                if (friend is null) goto case 9;
                if (rng.Chance(0.3))
                {
                    place = ZipfChoice.Pick(L.Places, rng);
                    Say(hero.Name.Text, "and", friend.Name.Text, V(L.Go, plural: true), "to", "the", place, "together", ".");
                }
                else
                    Say(hero.Name.Text, "and", friend.Name.Text, V(ZipfChoice.Pick(L.IntransitiveVerbs, rng), plural: true),
                        "together", place is null ? null : "in", place is null ? null : "the", place, ".");
                if (rng.Chance(0.5)) Say("they", Be(true), "very", ZipfChoice.Pick(L.Feelings, rng), ".");
                lastSubject = null;
                break;
            case 9: // an intransitive verb with an adverb, or a group of creatures (plural nouns)
                if (rng.Chance(0.3))
                {
                    string adj = ZipfChoice.Pick(L.Adjectives, rng);
                    Say(Subject(Focus()), V(L.ThingVerbs[1]), rng.Chance(0.5) ? "two" : "three", adj,
                        ZipfChoice.Pick(L.Creatures, rng).Plural, "near", "the", ZipfChoice.Pick(L.Places, rng), ".");
                }
                else
                    Say(Subject(Focus()), V(ZipfChoice.Pick(L.IntransitiveVerbs, rng)), ZipfChoice.Pick(L.Adverbs, rng), ".");
                break;
            case 10: // give the thing to the friend, who thanks
                if (thing is null || friend is null) { IntroduceThing(); break; }
                Say(Subject(hero), V(L.Give), "the", ThingWord(), "to", Object(friend, hero), ".");
                Say(friend.Name.Text, V(L.Say), ",", "thank", "you", ",", hero.Name.Text, "!");
                lastSubject = friend;
                break;
            default: // a yes/no question about the story so far
                if (thing is null) { IntroduceThing(); break; }
                var who = Focus();
                string pron = who.Name.Female ? "she" : "he";
                string aux = past ? "did" : "does";
                if (friend is not null && rng.Chance(0.4))
                    Say(aux, who.Name.Text, ZipfChoice.Pick(L.CharacterVerbs, rng).Base, ReferenceEquals(who, hero) ? friend.Name.Text : hero.Name.Text, "?");
                else
                    Say(aux, who.Name.Text, ZipfChoice.Pick(L.ThingVerbs, rng).Base, "the", ThingWord(), "?");
                Say(rng.Chance(0.7) ? ["yes", ",", pron, aux, "."] : ["no", ",", pron, aux, "not", "."]);
                lastSubject = who;
                break;
        }
    }

    private void IntroduceThing()
    {
        thing = ZipfChoice.Pick(L.Things, rng);
        thingPlural = rng.Chance(0.3);
        string adj = ZipfChoice.Pick(L.Adjectives, rng);
        var words = new List<string?> { Subject(Focus()), V(rng.Chance(0.5) ? L.ThingVerbs[0] : L.Have) };
        if (thingPlural) words.AddRange([rng.Chance(0.5) ? "two" : "three", adj, thing.Plural]);
        else words.AddRange([A(adj), adj, thing.Singular]);
        if (place is not null && rng.Chance(0.6)) words.AddRange(["in", "the", place]);
        words.Add(".");
        Say([.. words]);
    }

    private void Ending()
    {
        if (friend is not null && rng.Chance(0.6))
            Say(past ? ["from", "that", "day", "on", ",", hero.Name.Text, "and", friend.Name.Text, "were", "best", "friends", "."]
                     : [hero.Name.Text, "and", friend.Name.Text, "are", "best", "friends", "."]);
        else
        {
            Say(Subject(hero), Be(false), ZipfChoice.Pick(L.Feelings, rng), ".");
            Say("the", "end", ".");
        }
    }

    /// <summary>Who acts next: mostly the hero, the friend once there is one.</summary>
    private Character Focus() => friend is not null && rng.Chance(0.35) ? friend : hero;

    /// <summary>The name, or a pronoun when the same character was the last subject (so the referent is clear).</summary>
    private string Subject(Character c)
    {
        bool pronoun = ReferenceEquals(lastSubject, c) && rng.Chance(0.6);
        lastSubject = c;
        return pronoun ? (c.Name.Female ? "she" : "he") : c.Name.Text;
    }

    private string Object(Character c, Character subject) =>
        !ReferenceEquals(c, subject) && c.Name.Female != subject.Name.Female && rng.Chance(0.5)
            ? (c.Name.Female ? "her" : "him")
            : c.Name.Text;

    private string ThingWord() => thingPlural ? thing!.Plural : thing!.Singular;

    private string V(Verb v, bool plural = false) => past ? v.Past : plural ? v.Base : v.Third;

    private string Be(bool plural) => past ? (plural ? "were" : "was") : (plural ? "are" : "is");

    private static string A(string next) => "aeiou".Contains(next[0]) ? "an" : "a";

    /// <summary>Renders a sentence: words space-separated, punctuation attached, first letter capitalized.</summary>
    private void Say(params string?[] words)
    {
        var sb = new StringBuilder();
        foreach (var w in words)
        {
            if (w is null) continue;
            bool punct = w.Length == 1 && SyntheticLanguage.Punctuation.Contains(w[0]);
            if (sb.Length > 0 && !punct) sb.Append(' ');
            if (sb.Length == 0)
            {
                string cap = char.ToUpperInvariant(w[0]) + w[1..];
                // The tokenizer has a piece for every surface word; a capitalized form missing from it is a bug here.
                if (!SyntheticLanguage.WordSet.Contains(cap.Split(' ')[0]))
                    throw new InvalidOperationException($"'{cap}' starts a sentence but is not in SyntheticLanguage.SentenceStarters");
                sb.Append(cap);
            }
            else sb.Append(w);
        }
        sentences.Add(sb.ToString());
    }
}

namespace Search.Training.Embedded;

/// <summary>A noun with its plural (irregular ones included, so number agreement is not just "+s").</summary>
public sealed record Noun(string Singular, string Plural);

/// <summary>A verb's third-person singular present and past forms (base form doubles as plural present).</summary>
public sealed record Verb(string Base, string Third, string Past);

/// <summary>A character name and the pronouns it takes.</summary>
public sealed record CharacterName(string Text, bool Female);

/// <summary>
/// The closed word lists of the synthetic language. Lists are ordered by intended frequency:
/// <see cref="ZipfChoice"/> picks earlier entries more often, which gives the corpus a natural,
/// skewed unigram distribution. Changing anything here changes the corpus: bump
/// <see cref="TinyModelRecipe.Version"/>.
/// </summary>
public static class SyntheticLexicon
{
    public static readonly CharacterName[] Names =
    [
        new("Tom", false), new("Lily", true), new("Ben", false), new("Mia", true), new("Max", false), new("Sara", true),
        new("Sam", false), new("Anna", true), new("Leo", false), new("Emma", true), new("Jack", false), new("Lucy", true),
        new("Tim", false), new("Zoe", true), new("Finn", false), new("Ruby", true), new("Oscar", false), new("Nora", true),
        new("Hugo", false), new("Ella", true),
    ];

    /// <summary>What a character is; also the animate nouns of "saw a ..." sentences.</summary>
    public static readonly Noun[] Creatures =
    [
        new("cat", "cats"), new("dog", "dogs"), new("bird", "birds"), new("rabbit", "rabbits"), new("bear", "bears"),
        new("fox", "foxes"), new("mouse", "mice"), new("frog", "frogs"), new("duck", "ducks"), new("owl", "owls"),
        new("girl", "girls"), new("boy", "boys"), new("lion", "lions"), new("pig", "pigs"), new("horse", "horses"),
        new("fish", "fish"), new("sheep", "sheep"), new("goose", "geese"), new("puppy", "puppies"), new("turtle", "turtles"),
        new("bee", "bees"), new("squirrel", "squirrels"), new("child", "children"), new("wolf", "wolves"),
    ];

    public static readonly Noun[] Things =
    [
        new("ball", "balls"), new("box", "boxes"), new("apple", "apples"), new("hat", "hats"), new("kite", "kites"),
        new("book", "books"), new("cake", "cakes"), new("cup", "cups"), new("toy", "toys"), new("stick", "sticks"),
        new("flower", "flowers"), new("stone", "stones"), new("boat", "boats"), new("key", "keys"), new("shell", "shells"),
        new("leaf", "leaves"), new("car", "cars"), new("drum", "drums"), new("bell", "bells"), new("map", "maps"),
        new("cookie", "cookies"), new("balloon", "balloons"), new("blanket", "blankets"), new("candle", "candles"),
        new("egg", "eggs"), new("feather", "feathers"), new("basket", "baskets"), new("ring", "rings"),
        new("box of crayons", "boxes of crayons"), new("jar of honey", "jars of honey"), new("pie", "pies"),
        new("sock", "socks"), new("shoe", "shoes"), new("star", "stars"), new("rock", "rocks"), new("bottle", "bottles"),
    ];

    public static readonly string[] Places =
    [
        "park", "garden", "forest", "house", "river", "hill", "school", "shop", "lake", "farm", "beach", "room",
        "field", "town", "cave", "kitchen", "yard", "pond", "castle", "market", "library", "meadow", "barn", "boat",
    ];

    public static readonly string[] Adjectives =
    [
        "big", "little", "red", "happy", "small", "blue", "old", "new", "green", "shiny", "soft", "yellow", "funny",
        "kind", "tall", "brave", "pretty", "sad", "quiet", "loud", "warm", "cold", "dark", "bright", "round", "tiny",
        "fast", "slow", "wet", "dry", "clean", "dirty", "heavy", "sweet", "strange", "gentle", "curious", "sleepy",
        "hungry", "purple", "orange", "golden", "fluffy", "smart", "silly", "proud",
    ];

    /// <summary>Feelings: predicate adjectives of "X was very ...".</summary>
    public static readonly string[] Feelings =
    [
        "happy", "sad", "scared", "excited", "tired", "angry", "surprised", "proud", "hungry", "sleepy", "glad",
        "worried", "calm", "lonely", "curious",
    ];

    /// <summary>Verbs that take a thing as object.</summary>
    public static readonly Verb[] ThingVerbs =
    [
        new("find", "finds", "found"), new("see", "sees", "saw"), new("like", "likes", "liked"),
        new("take", "takes", "took"), new("hold", "holds", "held"), new("want", "wants", "wanted"),
        new("make", "makes", "made"), new("lose", "loses", "lost"), new("carry", "carries", "carried"),
        new("throw", "throws", "threw"), new("keep", "keeps", "kept"), new("share", "shares", "shared"),
        new("paint", "paints", "painted"), new("wash", "washes", "washed"), new("hide", "hides", "hid"),
        new("drop", "drops", "dropped"), new("open", "opens", "opened"), new("fix", "fixes", "fixed"),
        new("love", "loves", "loved"), new("buy", "buys", "bought"),
    ];

    /// <summary>Verbs that take a character as object.</summary>
    public static readonly Verb[] CharacterVerbs =
    [
        new("help", "helps", "helped"), new("meet", "meets", "met"), new("call", "calls", "called"),
        new("hug", "hugs", "hugged"), new("follow", "follows", "followed"), new("thank", "thanks", "thanked"),
        new("visit", "visits", "visited"), new("watch", "watches", "watched"), new("chase", "chases", "chased"),
        new("tell", "tells", "told"),
    ];

    public static readonly Verb[] IntransitiveVerbs =
    [
        new("play", "plays", "played"), new("run", "runs", "ran"), new("jump", "jumps", "jumped"),
        new("sing", "sings", "sang"), new("laugh", "laughs", "laughed"), new("sleep", "sleeps", "slept"),
        new("smile", "smiles", "smiled"), new("dance", "dances", "danced"), new("swim", "swims", "swam"),
        new("walk", "walks", "walked"), new("rest", "rests", "rested"), new("cry", "cries", "cried"),
        new("sit", "sits", "sat"), new("wait", "waits", "waited"),
    ];

    public static readonly string[] Adverbs =
        ["quickly", "slowly", "happily", "quietly", "loudly", "carefully", "all day", "again", "for a long time"];

    public static readonly Verb Go = new("go", "goes", "went");
    public static readonly Verb Give = new("give", "gives", "gave");
    public static readonly Verb Say = new("say", "says", "said");
    public static readonly Verb Live = new("live", "lives", "lived");
    public static readonly Verb Have = new("have", "has", "had");
    public static readonly Verb Be = new("are", "is", "was");

    /// <summary>Words the sentence templates use besides the lists above.</summary>
    public static readonly string[] FunctionWords =
    [
        "a", "an", "the", "and", "to", "in", "near", "with", "there", "named", "day", "upon", "time", "very", "much",
        "he", "she", "him", "her", "his", "together", "two", "three", "thank", "you", "end", "that", "on", "best",
        "friends", "not", "did", "does", "were",
    ];
}

using System.Security.Cryptography;
using System.Text;
using Search.Data;
using Search.Model;
using Search.Model.Tokenizers;

namespace Search.Training.Zoo;

/// <summary>
/// What zoo models are made from, read at run time from a folder laid out like <c>../shared</c>: the
/// corpora under <c>data/</c> and the 512-piece SentencePiece tokenizer of stories260K
/// (<c>models/stories260K/tokenizer.model</c>, "tok512"), so zoo perplexities are per token of the
/// same vocabulary as stories260K's. TinyStories valid is what searches score on; it is never trained on.
/// </summary>
public sealed class ZooCorpus
{
    public static readonly string TokenizerRelativePath = Path.Combine("models", "stories260K", TokenizerLoader.SentencePieceFileName);

    /// <summary>The split searches evaluate on (cut into valid[search] / valid[test]): zoo models are scored on it, never trained on it.</summary>
    public static readonly (string Dataset, string Split) Evaluation = ("tinystories", "valid");

    private ZooCorpus(DatasetCatalog catalog, string tokenizerPath)
    {
        Catalog = catalog;
        TokenizerPath = tokenizerPath;
    }

    public DatasetCatalog Catalog { get; }
    public string TokenizerPath { get; }

    /// <summary>
    /// The shared folder's data and tokenizer (<paramref name="dataDir"/>, else $PRUNESEARCH_DATA_DIR, else the
    /// nearest shared/data); one <see cref="UserInputException"/> line when either is missing.
    /// </summary>
    public static ZooCorpus Locate(string? dataDir)
    {
        string data;
        try
        {
            data = DataDirectory.Resolve(dataDir);
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"zoo models are trained from ../shared (data/ and {TokenizerRelativePath}), which is not here: {e.Message}", e);
        }
        string tokenizer = Path.GetFullPath(Path.Combine(data, "..", TokenizerRelativePath));
        if (!File.Exists(tokenizer))
            throw new UserInputException($"zoo models use stories260K's 512-piece tokenizer, expected at {tokenizer} (next to the data folder {data}): not found");
        return new ZooCorpus(new DatasetCatalog(data), tokenizer);
    }

    public SentencePieceBpeTokenizer LoadTokenizer() => TokenizerLoader.LoadSentencePiece(TokenizerPath);

    /// <summary>A training source's file; TinyStories valid is refused, whatever the recipe says.</summary>
    public CorpusSource Resolve(ZooSource source)
    {
        var resolved = Catalog.Resolve(source.Dataset, source.Split);
        if (resolved.Dataset == Evaluation.Dataset && resolved.Split == Evaluation.Split)
            throw new UserInputException($"zoo mixture lists {Evaluation.Dataset} {Evaluation.Split}: that is the split searches score on, never trained on");
        return resolved;
    }

    public CorpusSource EvaluationSource() => Catalog.Resolve(Evaluation.Dataset, Evaluation.Split);

    /// <summary>sha256 over the tokenizer file and every mixture file, in mixture order: what the weights depend on besides the recipe.</summary>
    public string Fingerprint(IReadOnlyList<ZooSource> mixture)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string label, string path)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(label + "\n"));
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(path)));
        }
        Add("tokenizer", TokenizerPath);
        foreach (var s in mixture) Add($"{s.Dataset}/{s.Split}", Resolve(s).Path);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The source's ids as one stream: BOS, then its prepared text encoded (documents joined by a blank line), as evaluation's corpus protocol sees a corpus.</summary>
    public int[] Stream(ZooSource source, ITextTokenizer tokenizer, TokenCache? cache) =>
        [tokenizer.BosId, .. CorpusTokens.Load(Resolve(source), tokenizer, cache)];
}

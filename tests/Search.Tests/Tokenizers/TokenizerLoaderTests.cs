using Search.Model;
using Search.Model.Tokenizers;

namespace Search.Tests.Tokenizers;

/// <summary>File selection and the one-line errors for missing or corrupt tokenizer files.</summary>
public sealed class TokenizerLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tok-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void NoTokenizerFile_NamesBothCandidates()
    {
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingModelFile_IsAUserInputError()
    {
        string path = Path.Combine(_dir, "tokenizer.model");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.LoadSentencePiece(path));
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not a protobuf")]
    [InlineData("")]
    public void GarbageModelFile_IsAUserInputErrorNamingTheFile(string content)
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.model"), content);
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [SharedFact]
    public void TruncatedModelFile_IsAUserInputError()
    {
        byte[] real = File.ReadAllBytes(Path.Combine(SharedAssets.Stories260KDir, "tokenizer.model"));
        File.WriteAllBytes(Path.Combine(_dir, "tokenizer.model"), real[..(real.Length / 2)]);
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
    }

    [SharedFact]
    public void TokenizerJson_IsPreferredOverTokenizerModel()
    {
        File.Copy(Path.Combine(SharedAssets.Stories260KDir, "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));
        Assert.IsType<SentencePieceBpeTokenizer>(TokenizerLoader.Load(_dir));

        // A tokenizer.json beside it wins, so a broken one is reported rather than silently skipped.
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "not json");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
    }
}

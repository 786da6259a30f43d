namespace Search.Tests.Cli;

/// <summary>Bad input to `eval`: one line on stderr naming the problem, exit code 2.</summary>
public sealed class EvalCliErrorTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prunesearch-eval-err-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void AssertOneLineError((int Exit, string Out, string Err) r, string expected)
    {
        Assert.Equal(2, r.Exit);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Missing_model_folder_is_named() =>
        AssertOneLineError(CliRunner.Run("eval", "--model", Path.Combine(dir, "nope")), "model folder not found");

    [Fact]
    public void Folder_without_config_names_config_json()
    {
        Directory.CreateDirectory(Path.Combine(dir, "m"));
        AssertOneLineError(CliRunner.Run("eval", "--model", Path.Combine(dir, "m")), "config.json");
    }

    [Fact]
    public void Cuda_on_a_cpu_build_is_a_clear_error() =>
        AssertOneLineError(CliRunner.Run("eval", "--device", "cuda"), "CUDA is not available");

    [Fact]
    public void Unknown_bos_mode_is_named() =>
        AssertOneLineError(CliRunner.Run("eval", "--bos", "sometimes"), "--bos: unknown value 'sometimes'");

    [SharedFact]
    public void Unknown_dataset_lists_the_known_ones() =>
        AssertOneLineError(CliRunner.Run("eval", "--model", SharedAssets.Stories260K, "--dataset", "imagenet", "--data-dir", SharedAssets.Require("data")),
            "unknown dataset 'imagenet'");

    [SharedFact]
    public void Seqlen_longer_than_the_corpus_is_named()
    {
        string tiny = Path.Combine(dir, "tiny.txt");
        File.WriteAllText(tiny, "Once upon a time there was a cat.");
        AssertOneLineError(CliRunner.Run("eval", "--model", SharedAssets.Stories260K, "--dataset", tiny, "--seqlen", "512"), "longer than the corpus");
    }

    [SharedFact]
    public void Empty_corpus_is_named()
    {
        string empty = Path.Combine(dir, "empty.txt");
        File.WriteAllText(empty, "");
        AssertOneLineError(CliRunner.Run("eval", "--model", SharedAssets.Stories260K, "--dataset", empty), "empty.txt");
    }
}

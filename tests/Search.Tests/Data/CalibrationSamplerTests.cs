using Search.Model;
using Search.Data;

namespace Search.Tests.Data;

public sealed class CalibrationSamplerTests
{
    private static int[] Positions(int length) => Enumerable.Range(0, length).ToArray();

    [Fact]
    public void Given_python_sampling_When_sampled_Then_offsets_are_cpythons_randint_draws_and_windows_are_slices()
    {
        // CPython 3.11: random.seed(0); [random.randint(0, 1000 - 16 - 1) for _ in range(5)]
        var windows = CalibrationSampler.Sample(Positions(1000), count: 5, seqLen: 16, seed: 0);

        Assert.Equal([864, 394, 776, 911, 430], windows.Offsets);
        Assert.Equal(5 * 16, windows.Ids.Length);
        for (var w = 0; w < windows.Count; w++)
            Assert.Equal(Enumerable.Range(windows.Offsets[w], 16).Select(i => (long)i), windows.Window(w).ToArray());
    }

    [Fact]
    public void Given_a_short_stream_When_sampled_Then_offsets_reach_the_last_allowed_start_and_may_repeat()
    {
        // CPython 3.11: random.seed(3); [random.randint(0, 10 - 4 - 1) for _ in range(8)]
        var windows = CalibrationSampler.Sample(Positions(10), count: 8, seqLen: 4, seed: 3);

        Assert.Equal([1, 4, 4, 1, 2, 4, 3, 5], windows.Offsets);
    }

    [Fact]
    public void Given_the_same_seed_When_sampled_twice_Then_the_windows_are_identical_and_another_seed_differs()
    {
        var ids = Positions(5000);

        var first = CalibrationSampler.Sample(ids, 32, 64, seed: 42, CalibrationSampling.Mt);
        var again = CalibrationSampler.Sample(ids, 32, 64, seed: 42, CalibrationSampling.Mt);
        var python = CalibrationSampler.Sample(ids, 32, 64, seed: 42, CalibrationSampling.Python);

        Assert.Equal(first.Ids, again.Ids);
        Assert.NotEqual(first.Offsets, python.Offsets);
    }

    [Fact]
    public void Given_a_stream_not_longer_than_seqlen_When_sampled_Then_it_is_a_user_error()
    {
        var error = Assert.Throws<UserInputException>(() => CalibrationSampler.Sample(Positions(16), 1, 16, 0));

        Assert.Contains("16 tokens", error.Message);
    }

    [Fact]
    public void Given_a_seed_outside_32_bits_When_sampling_mt_Then_it_is_a_user_error()
    {
        Assert.Throws<UserInputException>(() => CalibrationSampler.Sample(Positions(100), 1, 8, -1, CalibrationSampling.Mt));
    }
}

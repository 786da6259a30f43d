using Search.Model;
using static TorchSharp.torch;

namespace Search.Tests.Model;

public sealed class FileBackedTensorTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void Given_a_tensor_When_moved_to_a_file_backed_mapping_Then_its_values_shape_and_dtype_are_unchanged_and_no_file_is_left(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var t = arange(37 * 19, ScalarType.Float64).sin().reshape(37, 19).to_type(dtype);
        var before = Directory.GetFiles(Path.GetTempPath(), $"prunesearch-{Environment.ProcessId}-*").Length;
        using var mapped = FileBackedTensor.From(t.t()); // a non-contiguous view too
        Assert.Equal(new long[] { 19, 37 }, mapped.shape);
        Assert.Equal(dtype, mapped.dtype);
        Assert.True(mapped.eq(t.t()).all().item<bool>());
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), $"prunesearch-{Environment.ProcessId}-*").Length);
    }
}

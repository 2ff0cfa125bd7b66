using System.Numerics.Tensors;

namespace Hubel.Data;

/// <summary>The NaN/Inf policy for inputs: data that reaches a network must be finite. Non-finite values are
/// caught where data enters (a loader normalising a dataset, a caller handing in a tensor) and reported with
/// where they are, rather than surfacing many steps later as a diverged loss. The loss itself is checked by
/// the trainer after every batch.</summary>
public static class FiniteData
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="what"/> and the first non-finite
    /// element (and the sample it belongs to, given <paramref name="perSample"/> elements per sample).</summary>
    public static void Require(ReadOnlySpan<float> values, string what, int perSample = 0)
    {
        // One vectorised pass: x - x is 0 for finite x and NaN for NaN and ±Inf, so the sum is NaN iff one is not finite.
        if (float.IsFinite(TensorPrimitives.Sum(values) * 0f)) return;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException(perSample > 0
                    ? $"{what}: element {i} (sample {i / perSample}, offset {i % perSample}) is {values[i]}; inputs must be finite"
                    : $"{what}: element {i} is {values[i]}; inputs must be finite");
    }

    /// <summary>As <see cref="Require(ReadOnlySpan{float}, string, int)"/> for a tensor of any dtype, counting
    /// samples along its first dimension.</summary>
    public static void Require(Tensor tensor, string what)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int perSample = tensor.Rank > 0 && tensor.Size(0) > 0 ? tensor.Numel / tensor.Size(0) : 0;
        if (tensor.DType == Tensors.DType.Float32) Require(tensor.ToFloatArray(), what, perSample);
        else Require(Array.ConvertAll(tensor.ToDoubleArray(), v => double.IsFinite(v) ? 0f : (float)v), what, perSample);
    }
}

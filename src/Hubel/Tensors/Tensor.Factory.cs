using System.Numerics;

namespace Hubel.Tensors;

public sealed partial class Tensor
{
    private static Array Allocate(DType dtype, int n) => dtype switch
    {
        DType.Float32 => MemoryScope.Allocate<float>(n, zeroed: true),
        DType.Float64 => MemoryScope.Allocate<double>(n, zeroed: true),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "expected Float32 or Float64"),
    };

    /// <summary>A tensor of zeros. Throws when the element count overflows.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int n = ShapeMath.Numel(shape, nameof(shape));
        ShapeMath.ByteSize(shape, dtype, nameof(shape));
        return new Tensor(Allocate(dtype, n), (int[])shape.Clone(), ShapeMath.ContiguousStrides(shape), 0, dtype);
    }

    /// <summary>A tensor whose elements are not initialised: only for op outputs that a kernel overwrites
    /// completely (skips zeroing megabytes per layer per step).</summary>
    internal static Tensor Empty(int[] shape, DType dtype)
    {
        int n = ShapeMath.Numel(shape, nameof(shape));
        Array storage = dtype == DType.Float32 ? MemoryScope.Allocate<float>(n, zeroed: false) : MemoryScope.Allocate<double>(n, zeroed: false);
        return new Tensor(storage, (int[])shape.Clone(), ShapeMath.ContiguousStrides(shape), 0, dtype);
    }

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        var t = Zeros(shape, dtype);
        if (dtype == DType.Float32) Array.Fill((float[])t.Storage, (float)value);
        else Array.Fill((double[])t.Storage, value);
        return t;
    }

    public static Tensor Ones(int[] shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    public static Tensor ZerosLike(Tensor t) => Zeros(t.ShapeArray, t.DType);

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data, int[] shape) => FromArrayCore(data, shape);

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(double[] data, int[] shape) => FromArrayCore(data, shape);

    /// <summary>A float32 tensor from a 2-D array (handy for the notes' worked examples).</summary>
    public static Tensor FromArray(float[,] data) =>
        FromArrayCore(data.Cast<float>().ToArray(), [data.GetLength(0), data.GetLength(1)]);

    public static Tensor FromArray(double[,] data) =>
        FromArrayCore(data.Cast<double>().ToArray(), [data.GetLength(0), data.GetLength(1)]);

    private static Tensor FromArrayCore<T>(T[] data, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        int n = ShapeMath.Numel(shape, nameof(shape));
        if (n != data.Length)
            throw new ArgumentException($"data has {data.Length} elements but shape {ShapeMath.Format(shape)} needs {n}", nameof(data));
        return Wrap((T[])data.Clone(), shape);
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(int[] shape, double low, double high, Rng rng, DType dtype = DType.Float32)
    {
        if (!(high >= low)) throw new ArgumentOutOfRangeException(nameof(high), $"high ({high}) must be >= low ({low})");
        var t = Zeros(shape, dtype);
        Fill(t, () => low + (high - low) * rng.NextDouble());
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(int[] shape, double mean, double std, Rng rng, DType dtype = DType.Float32)
    {
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), $"std must be >= 0; got {std}");
        var t = Zeros(shape, dtype);
        Fill(t, () => mean + std * rng.NextNormal());
        return t;
    }

    private static void Fill(Tensor t, Func<double> next)
    {
        if (t.DType == DType.Float32) { var d = (float[])t.Storage; for (int i = 0; i < d.Length; i++) d[i] = (float)next(); }
        else { var d = (double[])t.Storage; for (int i = 0; i < d.Length; i++) d[i] = next(); }
    }

    /// <summary>A contiguous copy with its own storage, cut off from the graph.</summary>
    public Tensor Clone() => DType == DType.Float32 ? Wrap(CopyLogical<float>(pooled: true), ShapeArray) : Wrap(CopyLogical<double>(pooled: true), ShapeArray);

    /// <summary>Copies values from <paramref name="source"/> into this tensor in place (same shape; dtype converted).
    /// Used by optimisers and weight loading; not recorded by autograd.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Shape.SequenceEqual(source.Shape))
            throw new ArgumentException($"shape {ShapeMath.Format(source.ShapeArray)} does not match {ShapeMath.Format(ShapeArray)}", nameof(source));
        if (!IsContiguous) throw new InvalidOperationException("CopyFrom needs a contiguous destination");
        if (DType == DType.Float32) source.ToFloatArray().CopyTo(Span<float>());
        else source.ToDoubleArray().CopyTo(Span<double>());
    }
}

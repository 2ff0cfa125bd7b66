namespace Hubel.Tensors;

/// <summary>Shape arithmetic that never wraps: every element count and byte size is computed
/// in checked 64-bit arithmetic and rejected when it exceeds what one managed array can hold.</summary>
public static class ShapeMath
{
    /// <summary>Largest element count Hubel stores in one tensor (the CLR's array limit).</summary>
    public static long MaxElements => Array.MaxLength;

    /// <summary>Number of elements of <paramref name="shape"/>; throws when a dimension is negative
    /// or the product overflows.</summary>
    public static int Numel(ReadOnlySpan<int> shape, string paramName = "shape")
    {
        long n = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                throw new ArgumentOutOfRangeException(paramName, $"dimension {i} is {shape[i]}; dimensions must be >= 0 (shape {Format(shape)})");
            try { n = checked(n * shape[i]); }
            catch (OverflowException)
            {
                throw new ArgumentOutOfRangeException(paramName, $"shape {Format(shape)} has more elements than fit in 64 bits");
            }
        }
        if (n > MaxElements)
            throw new ArgumentOutOfRangeException(paramName, $"shape {Format(shape)} has {n} elements; at most {MaxElements} fit in one tensor");
        return (int)n;
    }

    /// <summary>Byte size of a tensor of the given shape and dtype, checked for overflow.</summary>
    public static long ByteSize(ReadOnlySpan<int> shape, DType dtype, string paramName = "shape")
    {
        long n = Numel(shape, paramName);
        try { return checked(n * dtype.SizeInBytes()); }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(paramName, $"shape {Format(shape)} overflows when counted in bytes");
        }
    }

    /// <summary>Row-major (C-contiguous) strides for <paramref name="shape"/>.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    /// <summary>The NumPy broadcast of two shapes; throws naming both shapes (and <paramref name="paramName"/>) when they are incompatible.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string? paramName = null)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db})", paramName);
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Normalises a possibly negative dimension index; throws naming <paramref name="paramName"/>.</summary>
    public static int NormalizeDim(int dim, int rank, string paramName = "dim")
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.Max(rank, 1))
            throw new ArgumentOutOfRangeException(paramName, $"dimension {dim} is out of range for a tensor of rank {rank}; expected [{-Math.Max(rank, 1)}, {Math.Max(rank, 1) - 1}]");
        return d;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

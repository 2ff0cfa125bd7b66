namespace Hubel.Tensors;

/// <summary>Copies between strided views and contiguous buffers, the one place that walks
/// arbitrary strides. Innermost dimension is a tight loop; outer dimensions use an odometer.</summary>
internal static class StridedCopy
{
    public static void Gather<T>(T[] src, int offset, int[] shape, int[] strides, Span<T> dst)
    {
        int rank = shape.Length;
        if (dst.Length == 0) return;
        if (rank == 0) { dst[0] = src[offset]; return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int outer = dst.Length / Math.Max(inner, 1);
        int d = 0;
        for (int o = 0; o < outer; o++)
        {
            int s = offset;
            for (int k = 0; k < rank - 1; k++) s += idx[k] * strides[k];
            if (innerStride == 1) src.AsSpan(s, inner).CopyTo(dst.Slice(d, inner));
            else for (int j = 0; j < inner; j++) dst[d + j] = src[s + j * innerStride];
            d += inner;
            for (int k = rank - 2; k >= 0; k--)
            {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
    }

    /// <summary>dst[view] += src (contiguous), used to scatter gradients back into a strided view.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> src, T[] dst, int offset, int[] shape, int[] strides)
        where T : System.Numerics.IAdditionOperators<T, T, T>
    {
        int rank = shape.Length;
        if (src.Length == 0) return;
        if (rank == 0) { dst[offset] = dst[offset] + src[0]; return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int outer = src.Length / Math.Max(inner, 1);
        int s = 0;
        for (int o = 0; o < outer; o++)
        {
            int d = offset;
            for (int k = 0; k < rank - 1; k++) d += idx[k] * strides[k];
            for (int j = 0; j < inner; j++) dst[d + j * innerStride] = dst[d + j * innerStride] + src[s + j];
            s += inner;
            for (int k = rank - 2; k >= 0; k--)
            {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
    }
}

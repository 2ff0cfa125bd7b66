using Hubel.Autograd;

namespace Hubel.Tensors;

/// <summary>Views: reshape, flatten, permute, transpose, slice, broadcast. They share storage with
/// their source when the strides allow it and copy otherwise; each records how its gradient maps back.</summary>
public sealed partial class Tensor
{
    /// <summary>Same elements in a new shape; one dimension may be -1 (inferred). A view when contiguous.</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = InferShape(shape);
        if (!IsContiguous) return Contiguous().Reshape(target);
        var view = new Tensor(Storage, target, ShapeMath.ContiguousStrides(target), Offset, DType);
        var source = ShapeArray;
        return Graph.Record(view, "reshape", [this], g => [g.Reshape(source)]);
    }

    private int[] InferShape(int[] shape)
    {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException("only one dimension can be -1", nameof(shape));
                inferred = i;
            }
            else if (shape[i] < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"dimension {i} is {shape[i]}; expected >= 0 or -1");
            else known = checked(known * shape[i]);
        }
        var result = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"cannot reshape {ShapeMath.Format(ShapeArray)} ({Numel} elements) into {ShapeMath.Format(shape)}", nameof(shape));
            result[inferred] = (int)(Numel / known);
        }
        if (ShapeMath.Numel(result, nameof(shape)) != Numel)
            throw new ArgumentException($"cannot reshape {ShapeMath.Format(ShapeArray)} ({Numel} elements) into {ShapeMath.Format(shape)}", nameof(shape));
        return result;
    }

    /// <summary>Collapses dimensions startDim..endDim into one (PyTorch's flatten; default keeps the batch).</summary>
    public Tensor Flatten(int startDim = 1, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = ShapeMath.NormalizeDim(startDim, Rank, nameof(startDim));
        int e = ShapeMath.NormalizeDim(endDim, Rank, nameof(endDim));
        if (s > e) throw new ArgumentOutOfRangeException(nameof(startDim), $"startDim ({startDim}) must not come after endDim ({endDim})");
        var shape = new List<int>();
        for (int i = 0; i < s; i++) shape.Add(ShapeArray[i]);
        int merged = 1;
        for (int i = s; i <= e; i++) merged *= ShapeArray[i];
        shape.Add(merged);
        for (int i = e + 1; i < Rank; i++) shape.Add(ShapeArray[i]);
        return Reshape([.. shape]);
    }

    /// <summary>Reorders dimensions without copying.</summary>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length != Rank) throw new ArgumentException($"permutation has {dims.Length} entries; tensor has rank {Rank}", nameof(dims));
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new int[Rank];
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = ShapeMath.NormalizeDim(dims[i], Rank, nameof(dims));
            if (seen[d]) throw new ArgumentException($"dimension {d} appears twice in the permutation", nameof(dims));
            seen[d] = true;
            shape[i] = ShapeArray[d];
            strides[i] = StridesArray[d];
            inverse[d] = i;
        }
        var view = new Tensor(Storage, shape, strides, Offset, DType);
        return Graph.Record(view, "permute", [this], g => [g.Permute(inverse)]);
    }

    /// <summary>Swaps two dimensions without copying.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var perm = Enumerable.Range(0, Rank).ToArray();
        int a = ShapeMath.NormalizeDim(dim0, Rank, nameof(dim0)), b = ShapeMath.NormalizeDim(dim1, Rank, nameof(dim1));
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>Elements start, start+step, ... below end along <paramref name="dim"/>, without copying.</summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int d = ShapeMath.NormalizeDim(dim, Rank, nameof(dim));
        int size = ShapeArray[d];
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"step must be >= 1; got {step}");
        if (start < 0) start += size;
        if (end < 0) end += size;
        if (start < 0 || start > size) throw new ArgumentOutOfRangeException(nameof(start), $"start {start} is outside [0, {size}] for dimension {d}");
        end = Math.Clamp(end, start, size);
        var shape = (int[])ShapeArray.Clone();
        var strides = (int[])StridesArray.Clone();
        shape[d] = (end - start + step - 1) / step;
        strides[d] = StridesArray[d] * step;
        var view = new Tensor(Storage, shape, strides, Offset + start * StridesArray[d], DType);
        var sourceShape = ShapeArray;
        return Graph.Record(view, "slice", [this], g =>
        {
            var full = Zeros(sourceShape, g.DType);
            var region = full.Slice(d, start, end, step);
            if (g.DType == DType.Float32) StridedCopy.ScatterAdd<float>(g.Contiguous().Span<float>(), full.Data<float>(), region.Offset, region.ShapeArray, region.StridesArray);
            else StridedCopy.ScatterAdd<double>(g.Contiguous().Span<double>(), full.Data<double>(), region.Offset, region.ShapeArray, region.StridesArray);
            return [full];
        });
    }

    /// <summary>A dense copy in row-major order, or this tensor when it already is one.</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var copy = DType == DType.Float32 ? Wrap(CopyLogical<float>(pooled: true), ShapeArray) : Wrap(CopyLogical<double>(pooled: true), ShapeArray);
        return Graph.Record(copy, "contiguous", [this], g => [g]);
    }

    /// <summary>Repeats size-1 dimensions (and adds leading ones) to reach <paramref name="shape"/>, as a zero-stride view.</summary>
    public Tensor BroadcastTo(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (Shape.SequenceEqual(shape)) return this;
        var target = ShapeMath.Broadcast(ShapeArray, shape);
        if (!target.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"cannot broadcast {ShapeMath.Format(ShapeArray)} to {ShapeMath.Format(shape)}", nameof(shape));
        var strides = new int[shape.Length];
        int lead = shape.Length - Rank;
        for (int i = 0; i < Rank; i++)
            strides[lead + i] = ShapeArray[i] == 1 && shape[lead + i] != 1 ? 0 : StridesArray[i];
        var view = new Tensor(Storage, (int[])shape.Clone(), strides, Offset, DType);
        var sourceShape = ShapeArray;
        return Graph.Record(view, "expand", [this], g => [Ops.F.SumToShape(g, sourceShape)]);
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"expected [{-Rank - 1}, {Rank}]; got {dim}");
        var shape = ShapeArray.ToList();
        shape.Insert(d, 1);
        return Reshape([.. shape]);
    }

    /// <summary>Converts to another dtype (a copy unless it already has that dtype); gradients convert back.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var result = dtype == DType.Float32 ? Wrap(ToFloatArray(), ShapeArray) : Wrap(ToDoubleArray(), ShapeArray);
        var source = DType;
        return Graph.Record(result, "to", [this], g => [g.To(source)]);
    }
}

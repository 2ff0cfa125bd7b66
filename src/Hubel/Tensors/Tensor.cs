using System.Numerics;
using System.Text;
using Hubel.Autograd;

namespace Hubel.Tensors;

/// <summary>
/// An n-dimensional array of float32 or float64 (NCHW for images) with shape, strides and an
/// offset into shared storage, so that reshape, permute and slice are views, not copies.
/// A tensor that <see cref="RequiresGrad"/> records the op that produced it; <see cref="Backward"/>
/// then fills <see cref="Grad"/> of every leaf that led to it.
/// </summary>
public sealed partial class Tensor
{
    internal readonly Array Storage;
    internal readonly int[] ShapeArray;
    internal readonly int[] StridesArray;
    internal readonly int Offset;

    public DType DType { get; }

    internal Tensor(Array storage, int[] shape, int[] strides, int offset, DType dtype)
    {
        Storage = storage;
        ShapeArray = shape;
        StridesArray = strides;
        Offset = offset;
        DType = dtype;
        Numel = ShapeMath.Numel(shape);
    }

    /// <summary>A new contiguous tensor over <paramref name="storage"/> (not copied).</summary>
    internal static Tensor Wrap<T>(T[] storage, int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = ShapeMath.Numel(shape);
        if (storage.Length < n)
            throw new ArgumentException($"storage holds {storage.Length} elements; shape {ShapeMath.Format(shape)} needs {n}", nameof(storage));
        return new Tensor(storage, (int[])shape.Clone(), ShapeMath.ContiguousStrides(shape), 0, DTypeExtensions.Of<T>());
    }

    public ReadOnlySpan<int> Shape => ShapeArray;
    public ReadOnlySpan<int> Strides => StridesArray;
    public int Rank => ShapeArray.Length;
    public int Numel { get; }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => ShapeArray[ShapeMath.NormalizeDim(dim, Rank)];

    public bool IsContiguous
    {
        get
        {
            if (Numel == 0) return true;   // nothing to lay out (the loop below would reject the strides of e.g. a [2, 0] tensor)
            int expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                if (ShapeArray[i] == 1) continue;
                if (StridesArray[i] != expected) return false;
                expected *= ShapeArray[i];
            }
            return true;
        }
    }

    // ---- autograd state ----
    private bool _requiresGrad;

    /// <summary>Whether gradients flow to this tensor. Only leaves (tensors not produced by an op) can be set.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf tensor; use Detach() for a non-leaf");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>; null before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded op that produced this tensor; null for leaves.</summary>
    public GradFn? GradFn { get; internal set; }

    public bool IsLeaf => GradFn is null;

    /// <summary>Reverse-mode differentiation from this tensor. A scalar needs no seed; any other
    /// tensor needs <paramref name="gradient"/> of its own shape.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Backprop.Run(this, gradient, retainGraph);

    /// <summary>The same values, cut off from the graph.</summary>
    public Tensor Detach() => new(Storage, ShapeArray, StridesArray, Offset, DType);

    /// <summary>Chainable: marks a leaf as requiring grad and returns it.</summary>
    public Tensor RequireGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    // ---- element access ----
    internal T[] Data<T>() => (T[])Storage;

    /// <summary>Contiguous span over the elements; only valid when <see cref="IsContiguous"/>.</summary>
    internal Span<T> Span<T>()
    {
        if (!IsContiguous) throw new InvalidOperationException("tensor is not contiguous; call Contiguous() first");
        if (Numel == 0) return [];   // a view of an empty tensor may have an offset past the end of its storage
        return new Span<T>((T[])Storage, Offset, Numel);
    }

    private int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"index has {index.Length} coordinates; tensor has rank {Rank}", nameof(index));
        int flat = Offset;
        for (int i = 0; i < Rank; i++)
        {
            int k = index[i];
            if ((uint)k >= (uint)ShapeArray[i])
                throw new ArgumentOutOfRangeException(nameof(index), $"coordinate {i} is {k}; expected [0, {ShapeArray[i] - 1}]");
            flat += k * StridesArray[i];
        }
        return flat;
    }

    /// <summary>One element as double (for tests and inspection, not for loops).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public double this[params int[] index]
    {
        get
        {
            int flat = FlatIndex(index);
            return DType == DType.Float32 ? ((float[])Storage)[flat] : ((double[])Storage)[flat];
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a one-element tensor; shape is {ShapeMath.Format(ShapeArray)}");
        return this[new int[Rank]];
    }

    /// <summary>Elements in logical (row-major) order as float.</summary>
    public float[] ToFloatArray() => DType == DType.Float32 ? CopyLogical<float>() : Array.ConvertAll(CopyLogical<double>(), v => (float)v);

    /// <summary>Elements in logical (row-major) order as double.</summary>
    public double[] ToDoubleArray() => DType == DType.Float64 ? CopyLogical<double>() : Array.ConvertAll(CopyLogical<float>(), v => (double)v);

    /// <summary>A fresh array of the elements in logical order; <paramref name="pooled"/> only for tensor storage (it is
    /// recycled when an open <see cref="MemoryScope"/> closes), never for arrays handed to the caller.</summary>
    internal T[] CopyLogical<T>(bool pooled = false)
    {
        var result = pooled ? MemoryScope.Allocate<T>(Numel, zeroed: false) : new T[Numel];
        if (Numel == 0) return result;
        if (IsContiguous) { Array.Copy(Storage, Offset, result, 0, Numel); return result; }
        StridedCopy.Gather((T[])Storage, Offset, ShapeArray, StridesArray, result);
        return result;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor(").Append(ShapeMath.Format(ShapeArray)).Append(", ").Append(DType);
        if (GradFn is not null) sb.Append(", grad_fn=").Append(GradFn.Name);
        else if (RequiresGrad) sb.Append(", requires_grad");
        sb.Append(")");
        if (Numel <= 16)
            sb.Append(' ').Append('[').Append(string.Join(", ", ToDoubleArray().Select(v => v.ToString("G6")))).Append(']');
        return sb.ToString();
    }
}

using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>ShuffleNet's channel shuffle with <see cref="Groups"/> groups.</summary>
public sealed class ChannelShuffle : Module
{
    public ChannelShuffle(int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        Groups = groups;
    }

    public int Groups { get; }
    public override Tensor Forward(Tensor input) => F.ChannelShuffle(input, Groups);
    public override string ExtraRepr() => $"groups={Groups}";
}

/// <summary>Resizes [N, C, H, W] to a fixed size or by a scale factor (exactly one of them).</summary>
public sealed class Upsample : Module
{
    public Upsample(Size2? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        if (size is not null && scaleFactor is not null) throw new ArgumentException("give either size or scaleFactor, not both", nameof(scaleFactor));
        if (size is null && scaleFactor is null) throw new ArgumentException("give size or scaleFactor", nameof(size));
        size?.AtLeast(1, nameof(size));
        if (scaleFactor is double s && (!(s > 0) || !double.IsFinite(s))) throw new ArgumentOutOfRangeException(nameof(scaleFactor), s, "scaleFactor must be a positive finite number");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Nearest or Bilinear");
        if (alignCorners && mode == UpsampleMode.Nearest) throw new ArgumentException("alignCorners applies only to Bilinear", nameof(alignCorners));
        (Size, ScaleFactor, Mode, AlignCorners) = (size, scaleFactor, mode, alignCorners);
    }

    public Size2? Size { get; }
    public double? ScaleFactor { get; }
    public UpsampleMode Mode { get; }
    public bool AlignCorners { get; }
    public override Tensor Forward(Tensor input) => F.Upsample(input, Size, ScaleFactor, Mode, AlignCorners);
    public override string ExtraRepr() =>
        (Size is { } s ? $"size={s}" : $"scaleFactor={LeakyReLU.Fmt(ScaleFactor!.Value)}") + $", mode={Mode}" + (AlignCorners ? ", alignCorners=true" : "");
}

/// <summary>Reshapes each sample, keeping the batch dimension: [N, *] → [N, *shape] (one entry may be -1), as Keras'
/// Reshape. A view when the input is contiguous.</summary>
public sealed class Reshape : Module
{
    private readonly int[] _shape;

    public Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < -1 || d == 0)) throw new ArgumentOutOfRangeException(nameof(shape), $"each dimension must be >= 1 or -1; got [{string.Join(", ", shape)}]");
        if (shape.Count(d => d == -1) > 1) throw new ArgumentException("only one dimension can be -1", nameof(shape));
        _shape = (int[])shape.Clone();
    }

    public IReadOnlyList<int> Shape => _shape;

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1) throw new ArgumentException("input needs a batch dimension", nameof(input));
        return input.Reshape([input.Size(0), .. _shape]);
    }

    public override string ExtraRepr() => $"shape=[{string.Join(", ", _shape)}]";
}

/// <summary>A lookup table weight [V, D] (PyTorch's nn.Embedding, initialised N(0, 1)).</summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, Rng? rng = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        Weight = RegisterParameter("weight", Tensor.Normal([numEmbeddings, embeddingDim], 0, 1, rng ?? Init.Generator, dtype));
    }

    private Embedding(Tensor weights, bool freeze)
    {
        Weight = RegisterParameter("weight", weights);
        if (freeze) Weight.RequiresGrad = false;
    }

    /// <summary>A table holding a copy of <paramref name="weights"/> [V, D] (pretrained word vectors), as PyTorch's
    /// nn.Embedding.from_pretrained. With <paramref name="freeze"/> the weight is still a parameter (saved and loaded by
    /// name) but does not require grad: backward leaves its Grad null, so optimisers skip it and it never changes.</summary>
    public static Embedding FromPretrained(Tensor weights, bool freeze = true)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rank != 2 || weights.Size(0) < 1 || weights.Size(1) < 1)
            throw new ArgumentException($"pretrained weights must be [V, D] with V, D >= 1; got {ShapeMath.Format(weights.ShapeArray)}", nameof(weights));
        return new Embedding(weights.Detach().Clone(), freeze);
    }

    /// <summary>Whether the table is trained (false when frozen by <see cref="FromPretrained"/>).</summary>
    public bool IsTrainable => Weight.RequiresGrad;

    public Tensor Weight { get; }

    /// <summary>Rows of the table for <paramref name="indices"/> laid out as <paramref name="shape"/>: [*shape, D].</summary>
    public Tensor Forward(ReadOnlySpan<int> indices, int[]? shape = null) => F.Embedding(indices, Weight, shape);

    /// <summary>Indices given as a tensor of whole numbers (Hubel tensors hold floats): [*] → [*, D].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = input.ToDoubleArray();
        var idx = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != Math.Floor(values[i]) || values[i] < int.MinValue || values[i] > int.MaxValue)
                throw new ArgumentException($"index {i} is {values[i]}; indices must be whole numbers", nameof(input));
            idx[i] = (int)values[i];
        }
        return F.Embedding(idx, Weight, input.ShapeArray);
    }

    public override string ExtraRepr() => $"{Weight.Size(0)}, {Weight.Size(1)}" + (IsTrainable ? "" : ", frozen");
}

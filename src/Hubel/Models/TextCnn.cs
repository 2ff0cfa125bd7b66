using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Where Kim's TextCNN (2014, section 3.1) gets its word vectors.</summary>
public enum TextCnnMode
{
    /// <summary>No table: the input is already word vectors (the zoo's image reading).</summary>
    PreEmbedded,
    /// <summary>CNN-rand: a table initialised at random and trained.</summary>
    Rand,
    /// <summary>CNN-static: the pretrained vectors, kept fixed.</summary>
    Static,
    /// <summary>CNN-non-static: initialised with the pretrained vectors and fine-tuned.</summary>
    NonStatic,
    /// <summary>CNN-multichannel: two tables that both start as the pretrained vectors, one kept fixed ("static"), one
    /// fine-tuned; every filter reads both channels and the results are added.</summary>
    Multichannel,
}

/// <summary>Kim's CNN for sentence classification (2014): word vectors [L, D] (an embedding table looked up by token
/// index), one 1-D convolution per window size h (3, 4, 5 words, 100 maps each, spanning the whole vector: a h x D
/// kernel) - ReLU - max-over-time pooling (one number per map, whatever the sentence length), the 300 values concatenated,
/// dropout 0.5, FC to the classes, optionally with Kim's max-norm constraint (s = 3) on the FC's weight vectors. The
/// tables follow <see cref="TextCnnMode"/>: state names "embedding.weight" (the trained or only table) and
/// "static_embedding.weight" (multichannel's frozen copy). Without a vocabulary (<see cref="ForImages"/>) it reads
/// already-embedded input: an image [N, C, H, W] is a sentence of H "words", row h being the C·W vector of its pixels.</summary>
public sealed class TextCnn : Module, IWeightConstraint
{
    private readonly List<Conv1d> _convs = [];
    private readonly int _embeddingDim;

    /// <param name="vocabSize">rows of a random embedding table (CNN-rand); 0 for input that is already embedded.</param>
    /// <param name="windows">window sizes in words (Kim: 3, 4, 5).</param>
    /// <param name="maxNorm">when set, the largest 2-norm each FC weight vector (one per class) may have; training
    /// rescales longer ones after every step (Kim: 3). Null: no constraint.</param>
    public TextCnn(int vocabSize, int embeddingDim, int numClasses, int[]? windows = null, int maps = 100, double dropout = 0.5, Rng? rng = null,
        double? maxNorm = null)
        : this(RandomTable(vocabSize, embeddingDim, rng), vocabSize > 0 ? TextCnnMode.Rand : TextCnnMode.PreEmbedded,
            embeddingDim, numClasses, windows, maps, dropout, maxNorm, rng)
    {
    }

    /// <summary>Kim's four variants over a vocabulary with pretrained vectors <paramref name="pretrained"/> [V, D] (e.g.
    /// word2vec rows, one per token index; the tensor is copied). <see cref="TextCnnMode.Rand"/> ignores the values but
    /// keeps the shape and, as Kim, draws U[-a, a] with a chosen so the random vectors have the pretrained ones' variance,
    /// so the four variants differ in nothing else.</summary>
    public TextCnn(Tensor pretrained, TextCnnMode mode, int numClasses, int[]? windows = null, int maps = 100, double dropout = 0.5,
        double? maxNorm = 3, Rng? rng = null)
        : this(Tables(pretrained, mode, rng), mode, CheckedDim(pretrained), numClasses, windows, maps, dropout, maxNorm, rng)
    {
    }

    private TextCnn((Embedding? Trained, Embedding? Frozen) tables, TextCnnMode mode, int embeddingDim, int numClasses, int[]? windows,
        int maps, double dropout, double? maxNorm, Rng? rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maps, 1);
        windows ??= [3, 4, 5];
        if (windows.Length == 0 || windows.Any(w => w < 1)) throw new ArgumentException("windows must list at least one size >= 1", nameof(windows));
        if (maxNorm is double s && !(s > 0 && double.IsFinite(s))) throw new ArgumentOutOfRangeException(nameof(maxNorm), s, "maxNorm must be a finite number > 0 (or null: no constraint)");
        _embeddingDim = embeddingDim;
        Mode = mode;
        MaxNorm = maxNorm;
        Windows = [.. windows];
        if (tables.Trained is not null) Embedding = RegisterModule("embedding", tables.Trained);
        if (tables.Frozen is not null) StaticEmbedding = RegisterModule("static_embedding", tables.Frozen);
        foreach (int h in windows) _convs.Add(RegisterModule($"conv{h}", new Conv1d(embeddingDim, maps, h, rng: rng)));
        Dropout = RegisterModule("dropout", new Dropout(dropout, ModelRng.Child(rng)));
        Fc = RegisterModule("fc", new Linear(maps * windows.Length, numClasses, rng: rng));
    }

    /// <summary>The zoo's variant for images of width <paramref name="width"/>: rows are words of inChannels·width values.</summary>
    public static TextCnn ForImages(int width, int numClasses, int inChannels, Rng? rng = null) =>
        new(0, checked(width * inChannels), numClasses, rng: rng);

    public TextCnnMode Mode { get; }
    public IReadOnlyList<int> Windows { get; }
    /// <summary>The table the sentence is looked up in (trained unless <see cref="TextCnnMode.Static"/>); null without a vocabulary.</summary>
    public Embedding? Embedding { get; }
    /// <summary>Multichannel's frozen second table; null in the other modes.</summary>
    public Embedding? StaticEmbedding { get; }
    public Dropout Dropout { get; }
    public Linear Fc { get; }
    public double? MaxNorm { get; }

    /// <summary>Token indices [N, L] (whole numbers, with a vocabulary); [N, L, D] word vectors or an image [N, C, H, W]
    /// (without one). L must be at least the largest window.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor words;   // [N, L, D]
        if (Embedding is not null)
        {
            if (input.Rank != 2) throw new ArgumentException($"token indices must be [N, L]; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
            words = Lookup(table => table.Call(input));
        }
        else if (input.Rank == 4 && input.Size(1) * input.Size(3) == _embeddingDim)
            words = input.Permute(0, 2, 1, 3).Reshape(input.Size(0), input.Size(2), _embeddingDim);
        else if (input.Rank == 3 && input.Size(2) == _embeddingDim) words = input;
        else throw new ArgumentException($"input must be word vectors [N, L, {_embeddingDim}] or an image [N, C, H, W] with C·W = {_embeddingDim}; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return Classify(words);
    }

    /// <summary>Logits for sentences given as token indices: <paramref name="tokens"/> holds N sentences of equal length.</summary>
    public Tensor ForwardTokens(ReadOnlySpan<int> tokens, int batch)
    {
        if (Embedding is null) throw new InvalidOperationException("this TextCnn has no vocabulary; pass word vectors to Forward");
        if (batch < 1 || tokens.Length % batch != 0) throw new ArgumentException($"{tokens.Length} tokens do not split into {batch} sentences of equal length", nameof(batch));
        int[] copy = tokens.ToArray(), shape = [batch, tokens.Length / batch];
        return Classify(Lookup(table => table.Forward(copy, shape)));
    }

    /// <summary>Rescales each FC weight vector (row) longer than <see cref="MaxNorm"/> to that length, as Kim after every
    /// gradient step (the trainer calls it); nothing without a limit.</summary>
    public void ApplyConstraint()
    {
        if (MaxNorm is not double limit) return;
        var w = Fc.Weight;
        int rows = w.Size(0), cols = w.Size(1);
        if (w.DType == DType.Float32) Renorm(w.Span<float>(), rows, cols, limit);
        else Renorm(w.Span<double>(), rows, cols, limit);
    }

    private static void Renorm<T>(Span<T> weight, int rows, int cols, double limit) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            var row = weight.Slice(r * cols, cols);
            double sum = 0;
            foreach (var v in row) sum += double.CreateChecked(v) * double.CreateChecked(v);
            double norm = Math.Sqrt(sum);
            if (norm <= limit) continue;
            T scale = T.CreateChecked(limit / (norm + 1e-7));   // torch.renorm's guard
            for (int j = 0; j < cols; j++) row[j] *= scale;
        }
    }

    /// <summary>The sentence's word vectors; multichannel adds the two tables' vectors. Kim convolves each channel with
    /// the same filters and adds the results; a convolution is linear, so that is one convolution of the sum (bias once).</summary>
    private Tensor Lookup(Func<Embedding, Tensor> lookup)
    {
        var words = lookup(Embedding!);
        return StaticEmbedding is null ? words : F.Add(lookup(StaticEmbedding), words);
    }

    private Tensor Classify(Tensor words)
    {
        int length = words.Size(1), longest = Windows.Max();
        if (length < longest) throw new ArgumentException($"sentences must have at least {longest} words (the largest window); got {length}", nameof(words));
        var x = words.Transpose(1, 2).Contiguous();   // [N, D, L]: the vector's entries are Conv1d's channels
        var pooled = _convs.Select(conv => F.AdaptiveMaxPool1d(F.Relu(conv.Call(x)), 1).Flatten(1)).ToArray();   // max over time
        return Fc.Call(Dropout.Call(F.Cat(pooled, 1)));
    }

    private static (Embedding?, Embedding?) RandomTable(int vocabSize, int embeddingDim, Rng? rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vocabSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        return (vocabSize > 0 ? new Embedding(vocabSize, embeddingDim, rng) : null, null);
    }

    private static int CheckedDim(Tensor pretrained) => pretrained.Size(1);   // Tables has validated the shape

    private static (Embedding? Trained, Embedding? Frozen) Tables(Tensor pretrained, TextCnnMode mode, Rng? rng)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        if (pretrained.Rank != 2 || pretrained.Size(0) < 1 || pretrained.Size(1) < 1)
            throw new ArgumentException($"pretrained vectors must be [V, D] with V, D >= 1; got {ShapeMath.Format(pretrained.ShapeArray)}", nameof(pretrained));
        var values = pretrained.ToDoubleArray();
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("pretrained vectors must be finite", nameof(pretrained));
        return mode switch
        {
            TextCnnMode.Rand => (Embedding.FromPretrained(KimUniform(pretrained, values, rng), freeze: false), null),
            TextCnnMode.Static => (Embedding.FromPretrained(pretrained, freeze: true), null),
            TextCnnMode.NonStatic => (Embedding.FromPretrained(pretrained, freeze: false), null),
            TextCnnMode.Multichannel => (Embedding.FromPretrained(pretrained, freeze: false), Embedding.FromPretrained(pretrained, freeze: true)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "a table needs mode Rand, Static, NonStatic or Multichannel"),
        };
    }

    /// <summary>U[-a, a] with a² / 3 equal to the pretrained vectors' variance (a = 0.25 if they are all equal).</summary>
    private static Tensor KimUniform(Tensor pretrained, double[] values, Rng? rng)
    {
        double mean = values.Average(), variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        double a = variance > 0 ? Math.Sqrt(3 * variance) : 0.25;
        return Tensor.Uniform(pretrained.ShapeArray, -a, a, rng ?? Init.Generator, pretrained.DType);
    }
}

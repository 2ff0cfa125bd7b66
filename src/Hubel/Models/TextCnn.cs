using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Kim's CNN for sentence classification (2014): word vectors [L, D] (an embedding table looked up by token
/// index), one 1-D convolution per window size h (3, 4, 5 words, 100 maps each, spanning the whole vector: a h x D
/// kernel) - ReLU - max-over-time pooling (one number per map, whatever the sentence length), the 300 values concatenated,
/// dropout 0.5, FC to the classes. Without a vocabulary (<see cref="ForImages"/>) it reads already-embedded input: an
/// image [N, C, H, W] is a sentence of H "words", row h being the C·W vector of its pixels.</summary>
public sealed class TextCnn : Module
{
    private readonly List<Conv1d> _convs = [];
    private readonly int _embeddingDim;

    /// <param name="vocabSize">rows of the embedding table; 0 for input that is already embedded.</param>
    /// <param name="windows">window sizes in words (Kim: 3, 4, 5).</param>
    public TextCnn(int vocabSize, int embeddingDim, int numClasses, int[]? windows = null, int maps = 100, double dropout = 0.5, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vocabSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maps, 1);
        windows ??= [3, 4, 5];
        if (windows.Length == 0 || windows.Any(w => w < 1)) throw new ArgumentException("windows must list at least one size >= 1", nameof(windows));
        _embeddingDim = embeddingDim;
        Windows = [.. windows];
        if (vocabSize > 0) Embedding = RegisterModule("embedding", new Embedding(vocabSize, embeddingDim, rng));
        foreach (int h in windows) _convs.Add(RegisterModule($"conv{h}", new Conv1d(embeddingDim, maps, h, rng: rng)));
        Dropout = RegisterModule("dropout", new Dropout(dropout, ModelRng.Child(rng)));
        Fc = RegisterModule("fc", new Linear(maps * windows.Length, numClasses, rng: rng));
    }

    /// <summary>The zoo's variant for images of width <paramref name="width"/>: rows are words of inChannels·width values.</summary>
    public static TextCnn ForImages(int width, int numClasses, int inChannels, Rng? rng = null) =>
        new(0, checked(width * inChannels), numClasses, rng: rng);

    public IReadOnlyList<int> Windows { get; }
    public Embedding? Embedding { get; }
    public Dropout Dropout { get; }
    public Linear Fc { get; }

    /// <summary>Token indices [N, L] (whole numbers, with a vocabulary); [N, L, D] word vectors or an image [N, C, H, W]
    /// (without one). L must be at least the largest window.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor words;   // [N, L, D]
        if (Embedding is not null)
        {
            if (input.Rank != 2) throw new ArgumentException($"token indices must be [N, L]; got {ShapeMath.Format(input.ShapeArray)}", nameof(input));
            words = Embedding.Call(input);
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
        return Classify(Embedding.Forward(tokens, [batch, tokens.Length / batch]));
    }

    private Tensor Classify(Tensor words)
    {
        int length = words.Size(1), longest = Windows.Max();
        if (length < longest) throw new ArgumentException($"sentences must have at least {longest} words (the largest window); got {length}", nameof(words));
        var x = words.Transpose(1, 2).Contiguous();   // [N, D, L]: the vector's entries are Conv1d's channels
        var pooled = _convs.Select(conv => F.AdaptiveMaxPool1d(F.Relu(conv.Call(x)), 1).Flatten(1)).ToArray();   // max over time
        return Fc.Call(Dropout.Call(F.Cat(pooled, 1)));
    }
}

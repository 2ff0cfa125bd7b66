using Hubel.Autograd;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn;

/// <summary>Fully connected ↔ convolution (S2 §2.5, E21/E22 of docs/notes-examples.md): a Linear layer that reads a
/// C x H x W feature map is a Conv2d with an H x W kernel (its weight [out, C·H·W] reshaped to [out, C, H, W]), and a
/// Linear after that is a 1x1 Conv2d. A classifier converted this way runs on larger inputs and returns a score map:
/// entry (i, j) is the original network applied to the window at (i·S, j·S), S the product of the strides before
/// the flatten, with the windows' shared work computed once (sliding-window inference).</summary>
public static class ModelConversion
{
    /// <summary>The Conv2d(channels → fc.OutFeatures, kernel h x w) equivalent to <paramref name="fc"/> applied to a flattened
    /// [channels, h, w] map. The new layer holds copies of the weights (same dtype).</summary>
    /// <exception cref="ArgumentOutOfRangeException">channels, h or w below 1, or channels·h·w different from fc.InFeatures (named channels).</exception>
    public static Conv2d LinearToConv2d(Linear fc, int channels, int h, int w)
    {
        ArgumentNullException.ThrowIfNull(fc);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be >= 1; got {channels}");
        if (h < 1) throw new ArgumentOutOfRangeException(nameof(h), $"h must be >= 1; got {h}");
        if (w < 1) throw new ArgumentOutOfRangeException(nameof(w), $"w must be >= 1; got {w}");
        if ((long)channels * h * w != fc.InFeatures)
            throw new ArgumentOutOfRangeException(nameof(channels), $"channels·h·w = {channels}·{h}·{w} = {(long)channels * h * w} must equal the layer's {fc.InFeatures} input features");
        var conv = new Conv2d(channels, fc.OutFeatures, (h, w), bias: fc.Bias is not null, rng: new Rng(0));
        using (Graph.NoGrad())
        {
            Assign(conv.Weight, fc.Weight.Reshape(fc.OutFeatures, channels, h, w));
            if (fc.Bias is not null) Assign(conv.Bias!, fc.Bias);
        }
        return conv;
    }

    /// <summary>The fully convolutional version of a classifier <c>features..., Flatten, Linear, (activation, Linear)...</c>
    /// trained on <paramref name="inChannels"/> x <paramref name="inputSize"/> images. Layers before the Flatten are reused as
    /// they are (the same instances); the first Linear becomes a Conv2d whose kernel is the feature map size at the Flatten,
    /// every later Linear a 1x1 Conv2d, and the Flatten disappears. Layers after the Flatten other than Linear must act
    /// elementwise (activations, dropout). On an input of the training size the result is [N, classes, 1, 1].</summary>
    /// <exception cref="ArgumentException">no Flatten followed by a Linear, a Flatten that does not flatten everything but the
    /// batch, or a Linear whose input size does not match (ParamName "model").</exception>
    public static Sequential ToFullyConvolutional(Sequential model, int inChannels, Size2 inputSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be >= 1; got {inChannels}");
        inputSize.AtLeast(1, nameof(inputSize));
        int flatten = -1;
        for (int i = 0; i < model.Count && flatten < 0; i++)
            if (model[i] is Flatten) flatten = i;
        if (flatten < 0 || !Enumerable.Range(flatten + 1, model.Count - flatten - 1).Any(i => model[i] is Linear))
            throw new ArgumentException("model must contain a Flatten followed (later) by a Linear", nameof(model));
        if (model[flatten].ExtraRepr() != "")
            throw new ArgumentException($"the Flatten must keep only the batch dimension (startDim 1, endDim -1); got {model[flatten].ExtraRepr()}", nameof(model));

        var result = new Sequential();
        var x = Tensor.Zeros([1, inChannels, inputSize.H, inputSize.W], model.Parameters().FirstOrDefault()?.DType ?? DType.Float32);
        using (Graph.NoGrad())
            for (int i = 0; i < flatten; i++)
            {
                x = model[i].Forward(x);
                result.Add(model[i]);
            }
        if (x.Rank != 4) throw new ArgumentException($"the layers before the Flatten must give [N, C, H, W]; got {ShapeMath.Format(x.ShapeArray)}", nameof(model));
        int c = x.Size(1), h = x.Size(2), w = x.Size(3);
        bool first = true;
        for (int i = flatten + 1; i < model.Count; i++)
        {
            if (model[i] is not Linear fc) { result.Add(model[i]); continue; }
            if (first && fc.InFeatures != c * h * w)
                throw new ArgumentException($"layer {i} expects {fc.InFeatures} features; the flattened map is {c}x{h}x{w} = {c * h * w}", nameof(model));
            if (!first && fc.InFeatures != c)
                throw new ArgumentException($"layer {i} expects {fc.InFeatures} features; the previous Linear gives {c}", nameof(model));
            result.Add(first ? LinearToConv2d(fc, c, h, w) : LinearToConv2d(fc, fc.InFeatures, 1, 1));
            c = fc.OutFeatures;
            first = false;
        }
        return result;
    }

    private static void Assign(Tensor target, Tensor source) => target.CopyFrom(source.To(target.DType));
}

using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Serialization.Onnx.OnnxGraphBuilder;

namespace Hubel.Serialization.Onnx;

/// <summary>ONNX nodes for the layers whose hyper-parameters the autograd tape does not record.</summary>
internal static class OnnxLayerExport
{
    public static bool Handles(Module m) => m is Conv1d or Conv2d or Conv3d or ConvTranspose1d or ConvTranspose2d or ConvTranspose3d
        or DepthwiseSeparableConv2d or MaxPool1d or MaxPool2d or MaxPool3d or AvgPool1d or AvgPool2d or AvgPool3d or LPPool1d or LPPool2d
        or LeakyReLU or ELU or Softplus or PReLU or BatchNorm or LocalResponseNorm or Upsample;

    public static string Emit(OnnxExportWalker w, Module m, Tensor output)
    {
        var b = w.Builder;
        string Input(int depth = 1) => w.Emit(OnnxExportWalker.InputOf(output, m.GetType().Name, depth));
        var input = OnnxExportWalker.InputOf(output, m.GetType().Name, OpsPerLayer(m));
        int[] spatial = input.ShapeArray.Length > 2 ? input.ShapeArray[2..] : [];
        switch (m)
        {
            case Conv2d c:
            {
                var (t, bo, l, r) = c.Padding.Resolve(spatial[0], spatial[1], c.Kernel, c.Stride, c.Dilation);
                return Conv(w, input, c.Weight, c.Bias, [c.Kernel.H, c.Kernel.W], [c.Stride.H, c.Stride.W], [(t, bo), (l, r)], [c.Dilation.H, c.Dilation.W], c.Groups, c.PaddingMode);
            }
            case Conv1d c:
                return Conv(w, input, c.Weight, c.Bias, [c.Kernel], [c.Stride], c.Padding.ResolveNd(spatial, [c.Kernel], [c.Stride], [c.Dilation]), [c.Dilation], c.Groups, c.PaddingMode);
            case Conv3d c:
                return Conv(w, input, c.Weight, c.Bias, c.Kernel.ToArray(), c.Stride.ToArray(), c.Padding.ResolveNd(spatial, c.Kernel.ToArray(), c.Stride.ToArray(), c.Dilation.ToArray()), c.Dilation.ToArray(), c.Groups, c.PaddingMode);
            case DepthwiseSeparableConv2d d:
            {
                var (t, bo, l, r) = d.Depthwise.Padding.Resolve(spatial[0], spatial[1], d.Depthwise.Kernel, d.Depthwise.Stride, d.Depthwise.Dilation);
                var dw = Conv(w, input, d.Depthwise.Weight, d.Depthwise.Bias, [d.Depthwise.Kernel.H, d.Depthwise.Kernel.W], [d.Depthwise.Stride.H, d.Depthwise.Stride.W], [(t, bo), (l, r)], [d.Depthwise.Dilation.H, d.Depthwise.Dilation.W], d.Depthwise.Groups, d.Depthwise.PaddingMode);
                var p = d.Pointwise;
                int midH = ConvOut(spatial[0], t + bo, d.Depthwise.Kernel.H, d.Depthwise.Stride.H, d.Depthwise.Dilation.H);
                int midW = ConvOut(spatial[1], l + r, d.Depthwise.Kernel.W, d.Depthwise.Stride.W, d.Depthwise.Dilation.W);
                var (t2, b2, l2, r2) = p.Padding.Resolve(midH, midW, p.Kernel, p.Stride, p.Dilation);
                if (p.PaddingMode != PaddingMode.Zeros && (t2, b2, l2, r2) != (0, 0, 0, 0))
                    throw new NotSupportedException("ONNX export: a padded pointwise convolution with a non-zero padding mode");
                return ConvNamed(w, dw, p.Weight, p.Bias, [p.Kernel.H, p.Kernel.W], [p.Stride.H, p.Stride.W], [(t2, b2), (l2, r2)], [p.Dilation.H, p.Dilation.W], p.Groups);
            }
            case ConvTranspose1d c: return ConvTranspose(w, input, c.Weight, c.Bias, [c.Kernel], [c.Stride], [c.Padding], [c.OutputPadding], [c.Dilation], c.Groups);
            case ConvTranspose2d c: return ConvTranspose(w, input, c.Weight, c.Bias, [c.Kernel.H, c.Kernel.W], [c.Stride.H, c.Stride.W], [c.Padding.H, c.Padding.W], [c.OutputPadding.H, c.OutputPadding.W], [c.Dilation.H, c.Dilation.W], c.Groups);
            case ConvTranspose3d c: return ConvTranspose(w, input, c.Weight, c.Bias, c.Kernel.ToArray(), c.Stride.ToArray(), c.Padding.ToArray(), c.OutputPadding.ToArray(), c.Dilation.ToArray(), c.Groups);
            case MaxPool1d p: return MaxPool(w, input, [p.Kernel], [p.Stride], [p.Padding], [p.Dilation], p.CeilMode);
            case MaxPool2d p: return MaxPool(w, input, [p.Kernel.H, p.Kernel.W], [p.Stride.H, p.Stride.W], [p.Padding.H, p.Padding.W], [p.Dilation.H, p.Dilation.W], p.CeilMode);
            case MaxPool3d p: return MaxPool(w, input, p.Kernel.ToArray(), p.Stride.ToArray(), p.Padding.ToArray(), p.Dilation.ToArray(), p.CeilMode);
            case AvgPool1d p: return AvgPool(w, input, [p.Kernel], [p.Stride], [p.Padding], p.CeilMode, p.CountIncludePad);
            case AvgPool2d p: return AvgPool(w, input, [p.Kernel.H, p.Kernel.W], [p.Stride.H, p.Stride.W], [p.Padding.H, p.Padding.W], p.CeilMode, p.CountIncludePad);
            case AvgPool3d p: return AvgPool(w, input, p.Kernel.ToArray(), p.Stride.ToArray(), p.Padding.ToArray(), p.CeilMode, p.CountIncludePad);
            case LPPool1d p: return LpPool(w, input, p.NormType, [p.Kernel], [p.Stride], p.CeilMode);
            case LPPool2d p: return LpPool(w, input, p.NormType, [p.Kernel.H, p.Kernel.W], [p.Stride.H, p.Stride.W], p.CeilMode);
            case LeakyReLU a: return b.Node("LeakyRelu", [Input()], Float("alpha", a.NegativeSlope));
            case ELU a: return b.Node("Elu", [Input()], Float("alpha", a.Alpha));
            case Softplus a:
            {
                if (a.Beta == 1) return b.Node("Softplus", [Input()]);
                // softplus_β(x) = softplus(βx) / β; PyTorch's linear region above the threshold differs by < 1e-8.
                var scaled = b.Node("Mul", [Input(), b.Constant([a.Beta], [], input.DType)]);
                return b.Node("Div", [b.Node("Softplus", [scaled]), b.Constant([a.Beta], [], input.DType)]);
            }
            case PReLU a:
            {
                // ONNX broadcasts the slope from the right, so a per-channel slope [C] becomes [C, 1, …, 1].
                int c = a.Weight.Numel;
                int[] slopeShape = c == 1 || input.Rank < 2 ? [c] : [c, .. Enumerable.Repeat(1, input.Rank - 2)];
                return b.Node("PRelu", [Input(), c == 1 ? b.Weight(a.Weight) : b.WeightAs(a.Weight, slopeShape)]);
            }
            case BatchNorm bn:
            {
                int c = bn.NumFeatures;
                if (bn.RunningMean is null || bn.RunningVar is null)
                    throw new NotSupportedException("ONNX export: BatchNorm without running statistics (trackRunningStats = false) normalises with batch statistics in eval mode, which ONNX BatchNormalization cannot express");
                var scale = bn.Weight is { } wt ? b.Weight(wt) : b.Constant(Enumerable.Repeat(1.0, c).ToArray(), [c], input.DType);
                var bias = bn.Bias is { } bs ? b.Weight(bs) : b.Constant(new double[c], [c], input.DType);
                return b.Node("BatchNormalization", [Input(), scale, bias, b.Weight(bn.RunningMean), b.Weight(bn.RunningVar)], Float("epsilon", bn.Eps));
            }
            case LocalResponseNorm n:
                return b.Node("LRN", [Input()], Int("size", n.Size), Float("alpha", n.Alpha), Float("beta", n.Beta), Float("bias", n.K));
            case Upsample u:
            {
                var scales = new double[output.Rank];
                for (int i = 0; i < scales.Length; i++) scales[i] = (double)output.ShapeArray[i] / input.ShapeArray[i];
                var transform = u.Mode == UpsampleMode.Nearest ? "asymmetric" : u.AlignCorners ? "align_corners" : "pytorch_half_pixel";
                var attrs = new List<OnnxAttribute> { String("mode", u.Mode == UpsampleMode.Nearest ? "nearest" : "linear"), String("coordinate_transformation_mode", transform) };
                if (u.Mode == UpsampleMode.Nearest) attrs.Add(String("nearest_mode", "floor"));
                var roi = b.Constant([], [0], DType.Float32);
                var scaleName = b.Weight(Tensor.FromArray(Array.ConvertAll(scales, s => (float)s), [scales.Length]));
                return b.Node("Resize", [Input(), roi, scaleName], [.. attrs]);
            }
            default: throw new NotSupportedException($"ONNX export: layer {m.GetType().Name} is not supported");
        }
    }

    /// <summary>How many recorded ops lie between the layer's input and its output (a conv with a padding mode pads first).</summary>
    private static int OpsPerLayer(Module m) => m switch
    {
        Conv1d c => c.PaddingMode == PaddingMode.Zeros ? 1 : 2,
        Conv2d c => c.PaddingMode == PaddingMode.Zeros ? 1 : 2,
        Conv3d c => c.PaddingMode == PaddingMode.Zeros ? 1 : 2,
        DepthwiseSeparableConv2d d => OpsPerLayer(d.Depthwise) + OpsPerLayer(d.Pointwise),
        MaxPool1d or AvgPool1d or LPPool1d => 3, // 2-D pooling of an [N, C, 1, L] view: reshape, pool, reshape
        _ => 1,
    };

    private static int ConvOut(int size, int pad, int kernel, int stride, int dilation) => (size + pad - dilation * (kernel - 1) - 1) / stride + 1;

    private static string Conv(OnnxExportWalker w, Tensor input, Tensor weight, Tensor? bias, int[] kernel, int[] stride, (int Before, int After)[] pads, int[] dilation, int groups, PaddingMode mode)
    {
        var x = w.Emit(input);
        if (mode != PaddingMode.Zeros)
        {
            // Non-zero modes pad first (as the layer does), then convolve unpadded.
            string onnxMode = mode switch
            {
                PaddingMode.Reflect => "reflect",
                PaddingMode.Replicate => "edge",
                _ => throw new NotSupportedException($"ONNX export: padding mode {mode} has no ONNX opset {OnnxFormat.Opset} equivalent"),
            };
            long[] amounts = [0, 0, .. pads.Select(p => (long)p.Before), 0, 0, .. pads.Select(p => (long)p.After)];
            x = w.Builder.Node("Pad", [x, w.Builder.Int64s(amounts)], String("mode", onnxMode));
            pads = pads.Select(_ => (0, 0)).ToArray();
        }
        return ConvNamed(w, x, weight, bias, kernel, stride, pads, dilation, groups);
    }

    private static string ConvNamed(OnnxExportWalker w, string x, Tensor weight, Tensor? bias, int[] kernel, int[] stride, (int Before, int After)[] pads, int[] dilation, int groups)
    {
        var b = w.Builder;
        string[] inputs = bias is null ? [x, b.Weight(weight)] : [x, b.Weight(weight), b.Weight(bias)];
        return b.Node("Conv", inputs, Ints("kernel_shape", kernel), Ints("strides", stride),
            Ints("pads", [.. pads.Select(p => p.Before), .. pads.Select(p => p.After)]), Ints("dilations", dilation), Int("group", groups));
    }

    private static string ConvTranspose(OnnxExportWalker w, Tensor input, Tensor weight, Tensor? bias, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups)
    {
        var b = w.Builder;
        var x = w.Emit(input);
        string[] inputs = bias is null ? [x, b.Weight(weight)] : [x, b.Weight(weight), b.Weight(bias)];
        return b.Node("ConvTranspose", inputs, Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [.. padding, .. padding]),
            Ints("output_padding", outputPadding), Ints("dilations", dilation), Int("group", groups));
    }

    private static string MaxPool(OnnxExportWalker w, Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation, bool ceil) =>
        w.Builder.Node("MaxPool", [w.Emit(input)], Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [.. padding, .. padding]),
            Ints("dilations", dilation), Int("ceil_mode", ceil ? 1 : 0));

    private static string AvgPool(OnnxExportWalker w, Tensor input, int[] kernel, int[] stride, int[] padding, bool ceil, bool countIncludePad)
    {
        // With ceil mode PyTorch divides a window clipped by the input edge by its elements inside the (padded) input; without
        // padding that is ONNX's count_include_pad = 0, and with kernel >= stride no window starts past the edge (PyTorch drops those).
        bool unpaddedCeil = ceil && padding.All(p => p == 0) && kernel.Zip(stride).All(ks => ks.First >= ks.Second);
        if (ceil && !unpaddedCeil)
            throw new NotSupportedException("ONNX export: AvgPool with ceilMode and padding (or kernel < stride): ONNX AveragePool divides the last partial window differently from PyTorch's rule");
        return w.Builder.Node("AveragePool", [w.Emit(input)], Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [.. padding, .. padding]),
            Int("ceil_mode", ceil ? 1 : 0), Int("count_include_pad", countIncludePad && !ceil ? 1 : 0));
    }

    private static string LpPool(OnnxExportWalker w, Tensor input, double p, int[] kernel, int[] stride, bool ceil)
    {
        if (ceil) throw new NotSupportedException($"ONNX export: LpPool has no ceil_mode at opset {OnnxFormat.Opset}");
        // ONNX sums |x|^p, PyTorch (and Hubel) sum x^p: the two agree for even integer p only.
        if (p != Math.Round(p) || p < 2 || p % 2 != 0) throw new NotSupportedException($"ONNX export: LpPool needs an even integer norm (ONNX takes |x|^p, Hubel x^p); got {p}");
        return w.Builder.Node("LpPool", [w.Emit(input)], Int("p", (long)p), Ints("kernel_shape", kernel), Ints("strides", stride));
    }
}

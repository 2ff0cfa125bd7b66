using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hubel.Autograd;
using Hubel.Backends;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Inference-only convolution with its epilogue folded in: y = act(conv(x, W)·scale[c] + shift[c] (+ residual)).
/// A convolution bias, an eval-mode batch norm (scale = γ/√(var+ε), shift = β - mean·scale + bias·scale) and a ReLU
/// become one in-place pass over the output the kernel just wrote, instead of a bias pass, a batch-norm tensor, an add
/// tensor and a ReLU tensor. Never recorded by autograd: callers use it only when nothing needs a gradient.</summary>
public static partial class F
{
    /// <param name="scale">per output channel, or null for 1 (no batch norm): then the shift is added exactly as the
    /// unfused bias would be.</param>
    /// <param name="shift">per output channel, or null for 0.</param>
    /// <param name="residual">added after the affine step (a residual block's shortcut), same shape as the output.</param>
    internal static Tensor Conv2dInference(Tensor input, Tensor weight, double[]? scale, double[]? shift, Tensor? residual, bool relu,
        Size2 stride, Padding padding, Size2 dilation, int groups)
    {
        var (g, outChannels) = Conv2dShape(input, weight, null, stride, padding, dilation, groups);
        if (Graph.NeedsGrad(input, weight, residual))
            throw new InvalidOperationException("the fused inference convolution records no gradient; call it only without the tape (Graph.NoGrad) or on tensors that need none");
        if (scale is not null && scale.Length != outChannels) throw new ArgumentException($"scale must have {outChannels} entries; got {scale.Length}", nameof(scale));
        if (shift is not null && shift.Length != outChannels) throw new ArgumentException($"shift must have {outChannels} entries; got {shift.Length}", nameof(shift));
        int[] outShape = [g.N, outChannels, g.OutH, g.OutW];
        if (residual is not null && (!residual.Shape.SequenceEqual(outShape) || residual.DType != input.DType))
            throw new ArgumentException($"residual must be {input.DType} of shape {ShapeMath.Format(outShape)}; got {residual.DType} {ShapeMath.Format(residual.ShapeArray)}", nameof(residual));
        var x = input.Contiguous();
        var w = weight.Detach().Contiguous();
        var r = residual?.Contiguous();
        var y = Tensor.Empty(outShape, input.DType);
        var kernel = ConvKernelChoice.ResolveForward(ConvAlgorithm.Direct, g, groups, outChannels, input.DType);
        if (input.DType == DType.Float32)
        {
            Backend.Cpu.Conv2dForward<float>(Mem<float>(x), Mem<float>(w), null, MutMem<float>(y), g, groups, outChannels, kernel);
            Epilogue<float>(y.Span<float>(), r is null ? default : r.Span<float>(), g.N, outChannels, g.OutH * g.OutW, scale, shift, relu);
        }
        else
        {
            Backend.Cpu.Conv2dForward<double>(Mem<double>(x), Mem<double>(w), null, MutMem<double>(y), g, groups, outChannels, kernel);
            Epilogue<double>(y.Span<double>(), r is null ? default : r.Span<double>(), g.N, outChannels, g.OutH * g.OutW, scale, shift, relu);
        }
        return y;
    }

    /// <summary>One pass per output plane, in place: y·scale + shift, + residual, ReLU, in that order and with the same
    /// roundings as the separate passes it replaces (a batch-1 ResNet-20 spent 56 µs of its 870 in four passes). Each
    /// combination of steps is its own compiled loop (the flags are type arguments the JIT folds away): with the four
    /// tests inside the loop, LeNet-5's two epilogues took 1 µs of a 19 µs batch-1 forward pass.</summary>
    private static void Epilogue<T>(Span<T> y, ReadOnlySpan<T> residual, int n, int channels, int plane, double[]? scale, double[]? shift, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool scaled = scale is not null, shifted = scale is not null || shift is not null, added = !residual.IsEmpty;
        var e = new EpilogueArgs(n, channels, plane, scale, shift);
        switch ((scaled, shifted, added, relu))
        {
            case (false, false, false, false): return;
            case (false, false, false, true): Pass<T, No, No, No, Yes>(y, residual, e); break;
            case (false, false, true, false): Pass<T, No, No, Yes, No>(y, residual, e); break;
            case (false, false, true, true): Pass<T, No, No, Yes, Yes>(y, residual, e); break;
            case (false, true, false, false): Pass<T, No, Yes, No, No>(y, residual, e); break;
            case (false, true, false, true): Pass<T, No, Yes, No, Yes>(y, residual, e); break;
            case (false, true, true, false): Pass<T, No, Yes, Yes, No>(y, residual, e); break;
            case (false, true, true, true): Pass<T, No, Yes, Yes, Yes>(y, residual, e); break;
            case (true, _, false, false): Pass<T, Yes, Yes, No, No>(y, residual, e); break;
            case (true, _, false, true): Pass<T, Yes, Yes, No, Yes>(y, residual, e); break;
            case (true, _, true, false): Pass<T, Yes, Yes, Yes, No>(y, residual, e); break;
            case (true, _, true, true): Pass<T, Yes, Yes, Yes, Yes>(y, residual, e); break;
        }
    }

    private readonly record struct EpilogueArgs(int N, int Channels, int Plane, double[]? Scale, double[]? Shift);

    private interface IFlag { static abstract bool On { get; } }
    private readonly struct Yes : IFlag { public static bool On => true; }
    private readonly struct No : IFlag { public static bool On => false; }

    private static void Pass<T, TScale, TShift, TAdd, TRelu>(Span<T> y, ReadOnlySpan<T> residual, EpilogueArgs e)
        where T : unmanaged, IFloatingPointIeee754<T> where TScale : struct, IFlag where TShift : struct, IFlag
        where TAdd : struct, IFlag where TRelu : struct, IFlag
    {
        int lanes = Vector256<T>.Count, plane = e.Plane;
        if ((long)e.N * e.Channels * plane > y.Length || (TAdd.On && residual.Length < y.Length))
            throw new ArgumentException("epilogue buffers are smaller than the output shape");
        ref T dst0 = ref MemoryMarshal.GetReference(y);
        ref T res0 = ref MemoryMarshal.GetReference(residual);
        for (int i = 0; i < e.N; i++)
            for (int c = 0; c < e.Channels; c++)
            {
                nuint at = (nuint)((i * e.Channels + c) * plane);
                ref T dst = ref Unsafe.Add(ref dst0, at);
                ref T res = ref Unsafe.Add(ref res0, TAdd.On ? at : 0);
                T s = TScale.On ? T.CreateTruncating(e.Scale![c]) : T.One, b = e.Shift is null ? T.Zero : T.CreateTruncating(e.Shift[c]);
                Vector256<T> sv = Vector256.Create(s), bv = Vector256.Create(b);
                int k = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; k <= plane - lanes; k += lanes)
                    {
                        var v = Vector256.LoadUnsafe(ref dst, (nuint)k);
                        if (TScale.On) v *= sv;
                        if (TShift.On) v += bv;
                        if (TAdd.On) v += Vector256.LoadUnsafe(ref res, (nuint)k);
                        if (TRelu.On) v = Vector256.Max(v, Vector256<T>.Zero);
                        v.StoreUnsafe(ref dst, (nuint)k);
                    }
                for (; k < plane; k++)
                {
                    T v = Unsafe.Add(ref dst, k);
                    if (TScale.On) v *= s;
                    if (TShift.On) v += b;
                    if (TAdd.On) v += Unsafe.Add(ref res, k);
                    if (TRelu.On) v = T.Max(v, T.Zero);
                    Unsafe.Add(ref dst, k) = v;
                }
            }
    }
}

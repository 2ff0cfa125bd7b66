using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Nn.Layers;
using Hubel.Ops;

namespace Hubel.Nn;

/// <summary>
/// Conv2d → (BatchNorm2d) → (+ residual) → (ReLU) as one convolution with a fused epilogue (<see cref="F.Conv2dInference"/>)
/// when that cannot change what anybody observes beyond float rounding: modules in eval mode, no tape
/// (<see cref="Graph.NoGrad"/>), no <see cref="ForwardTrace"/> listening for per-layer outputs, zero padding, the default
/// algorithm. Otherwise it runs the layers one by one through <see cref="Module.Call"/>, except that BN → (+ residual) →
/// ReLU becomes one batch-norm op with a fused epilogue (<see cref="BatchNorm.ForwardRelu"/>) unless fusion is disabled or
/// a <see cref="ForwardTrace"/> is recording.
/// Models call it where the pattern occurs (LeNet-5, the CIFAR ResNets) and <see cref="Sequential"/> finds it by itself.
/// </summary>
public static class FusedInference
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>Convolutions with fewer multiply-adds than this run single-threaded.</summary>
    internal const long SerialMacs = 1 << 20;

    /// <summary>Turns fusion off on this thread until disposed (tests compare fused with unfused output).</summary>
    public static DisableScope Disable()
    {
        _disabledDepth++;
        return new DisableScope();
    }

    public readonly struct DisableScope : IDisposable
    {
        public void Dispose() => _disabledDepth--;
    }

    /// <summary>Fusion is on and nothing watches the layers' own outputs: no tape, no <see cref="ForwardTrace"/>.</summary>
    private static bool Unobserved => _disabledDepth == 0 && !Graph.IsEnabled && ForwardTrace.Current is null;

    /// <summary>Whether <paramref name="conv"/> (+ <paramref name="bn"/>) would run fused right now.</summary>
    public static bool Applies(Conv2d conv, BatchNorm? bn = null)
    {
        ArgumentNullException.ThrowIfNull(conv);
        return Unobserved
            && !conv.IsTraining && conv.PaddingMode == PaddingMode.Zeros && conv.Algorithm == ConvAlgorithm.Direct
            && (bn is null || (!bn.IsTraining && bn.RunningMean is not null && bn.RunningVar is not null && bn.NumFeatures == conv.OutChannels));
    }

    /// <summary>relu?(bn?(conv(input)) + residual?), fused when <see cref="Applies"/>, layer by layer otherwise.</summary>
    public static Tensor ConvBnRelu(Tensor input, Conv2d conv, BatchNorm? bn = null, ReLU? relu = null, Tensor? residual = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(conv);
        if (!Applies(conv, bn) || input.Rank != 4)
        {
            var x = conv.Call(input);
            // Training (or eval with the tape): batch norm, the residual and the ReLU as one op when nobody watches the
            // layers' own outputs; the same values as the layers one by one.
            if (bn is not null && relu is not null && _disabledDepth == 0 && ForwardTrace.Current is null) return bn.ForwardRelu(x, residual);
            if (bn is not null) x = bn.Call(x);
            if (residual is not null) x = F.Add(x, residual);
            return relu is null ? x : relu.Call(x);
        }
        var (scale, shift) = Fold(conv, bn);
        // A small convolution (LeNet-5's at batch 1: 0.1-0.25 M multiply-adds, a few microseconds) runs on this thread alone:
        // waking a worker for it costs about as much as the convolution.
        long macs = (long)input.Size(0) * input.Size(2) * input.Size(3) / (conv.Stride.H * conv.Stride.W) * conv.Weight.Numel;
        if (macs < SerialMacs)
        {
            using var serial = CpuThreads.Serial();
            return F.Conv2dInference(input, conv.Weight, scale, shift, residual, relu is not null, conv.Stride, conv.Padding, conv.Dilation, conv.Groups);
        }
        return F.Conv2dInference(input, conv.Weight, scale, shift, residual, relu is not null, conv.Stride, conv.Padding, conv.Dilation, conv.Groups);
    }

    /// <summary>relu(fc(input)): one pass of the few-row linear kernel with the ReLU applied as it stores (batch-1 LeNet-5
    /// makes one tensor per layer instead of two) when nothing observes the layers (no tape, no <see cref="ForwardTrace"/>,
    /// fusion on) and the batch is small; the two layers one after the other otherwise.</summary>
    public static Tensor LinearRelu(Tensor input, Linear fc, ReLU relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(fc);
        ArgumentNullException.ThrowIfNull(relu);
        bool fused = Unobserved && input.Rank == 2
            && input.DType == Tensors.DType.Float32 && fc.Weight.DType == Tensors.DType.Float32 && input.Size(1) == fc.InFeatures
            && SmallLinearKernels.Applies(input.Size(0), input.Size(1));
        return fused ? F.LinearReluInference(input, fc.Weight, fc.Bias) : relu.Call(fc.Call(input));
    }

    /// <summary>Per-channel scale and shift of bn(conv + bias): scale = γ/√(var+ε) (null without batch norm: the bias is added
    /// unscaled, as the unfused layer adds it), shift = β + (bias - mean)·scale.</summary>
    private static (double[]? Scale, double[]? Shift) Fold(Conv2d conv, BatchNorm? bn)
    {
        var bias = conv.Bias?.ToDoubleArray();
        if (bn is null) return (null, bias);
        var mean = bn.RunningMean!.ToDoubleArray();
        var variance = bn.RunningVar!.ToDoubleArray();
        var gamma = bn.Weight?.ToDoubleArray();
        var beta = bn.Bias?.ToDoubleArray();
        int c = mean.Length;
        var scale = new double[c];
        var shift = new double[c];
        for (int i = 0; i < c; i++)
        {
            double s = (gamma?[i] ?? 1.0) / Math.Sqrt(variance[i] + bn.Eps);
            scale[i] = s;
            shift[i] = (beta?[i] ?? 0.0) + ((bias?[i] ?? 0.0) - mean[i]) * s;
        }
        return (scale, shift);
    }
}

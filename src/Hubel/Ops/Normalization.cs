using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Batch normalisation and local response normalisation over [N, C, *] (output shape = input shape).</summary>
public static partial class F
{
    /// <summary>Batch normalisation over [N, C], [N, C, L], [N, C, H, W] or [N, C, D, H, W]:
    /// y = (x - μ)/√(σ² + eps)·weight + bias per channel. In training μ, σ² are the batch's (biased variance) and the
    /// running statistics, when given, are updated in place: r ← (1 - momentum)·r + momentum·batch, with the unbiased
    /// variance (as PyTorch). In evaluation μ, σ² are the running statistics, which are then required.
    /// The backward pass differentiates through the batch statistics in training.</summary>
    /// <exception cref="ArgumentException">rank &lt; 2; a per-channel tensor not [C]; one running statistic without the other;
    /// no running statistics in evaluation; one value per channel in training.</exception>
    /// <exception cref="ArgumentOutOfRangeException">momentum outside [0, 1] or eps not positive.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, sumOverReplicas: null);

    /// <summary>Synchronised batch norm (training only): as <see cref="BatchNorm"/> with the statistics of the global
    /// batch spread over the replicas of a data-parallel model. <paramref name="sumOverReplicas"/> must replace every
    /// element of its buffer by the element's sum over all replicas (every replica calls it in the same order): forward
    /// sums each channel's Σx, Σx² and the value count, backward Σdy and Σdy·x̂, so the input gradient is the global
    /// batch's. Weight and bias gradients stay this replica's (the data-parallel gradient average combines them).</summary>
    internal static Tensor SyncBatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        double momentum, double eps, Action<double[]> sumOverReplicas)
    {
        ArgumentNullException.ThrowIfNull(sumOverReplicas);
        return BatchNormCore(input, runningMean, runningVar, weight, bias, training: true, momentum, eps, sumOverReplicas);
    }

    private static Tensor BatchNormCore(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum, double eps, Action<double[]>? sumOverReplicas, Tensor? residual = null, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2) throw new ArgumentException($"input must be [N, C, *]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        int n = input.Size(0), c = input.Size(1), s = 1;
        for (int d = 2; d < input.Rank; d++) s *= input.Size(d);
        CheckChannelVector(runningMean, c, input.DType, nameof(runningMean));
        CheckChannelVector(runningVar, c, input.DType, nameof(runningVar));
        CheckChannelVector(weight, c, input.DType, nameof(weight));
        CheckChannelVector(bias, c, input.DType, nameof(bias));
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException("runningMean and runningVar must be given together", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        if (!training && runningMean is null)
            throw new ArgumentException("evaluation mode normalises with the running statistics; pass runningMean and runningVar (or training: true)", nameof(runningMean));
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive finite number");
        long count = (long)n * s;
        // Synchronised, this replica's share may be tiny; the global count is checked once the replicas have reported.
        if (training && count <= 1 && sumOverReplicas is null)
            throw new ArgumentException($"training needs more than one value per channel; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));

        CheckResidual(residual, input);

        var x = input.Detach().Contiguous();
        var w = weight?.Detach().Contiguous();
        var b = bias?.Detach().Contiguous();
        var r = residual?.Detach().Contiguous();
        double[] mean, variance, invStd;
        var y = Tensor.Empty(x.ShapeArray, x.DType);
        bool f32 = x.DType == DType.Float32;
        if (training && f32 && sumOverReplicas is null)
        {
            // The common case in one pass over the channels: statistics, then normalising while the channel is warm.
            mean = new double[c]; variance = new double[c]; invStd = new double[c];
            BatchNormF32.ForwardTraining(Mem<float>(x), MutMem<float>(y), n, c, s, eps, OptMem<float>(w), OptMem<float>(b), mean, variance, invStd,
                OptMem<float>(r), relu);
            if (runningMean is not null) UpdateRunningStats(runningMean, runningVar!, mean, variance, momentum, count);
        }
        else
        {
            if (training)
            {
                mean = new double[c]; variance = new double[c];
                if (f32) BatchNormF32.Stats(Mem<float>(x), n, c, s, mean, variance);
                else NormKernels.BatchStats<double>(Mem<double>(x), n, c, s, mean, variance);
                if (sumOverReplicas is not null) count = CombineReplicaStats(mean, variance, count, sumOverReplicas, input);
                if (runningMean is not null) UpdateRunningStats(runningMean, runningVar!, mean, variance, momentum, count);
            }
            else
            {
                mean = runningMean!.ToDoubleArray();
                variance = runningVar!.ToDoubleArray();
            }
            invStd = variance.Select(v => 1 / Math.Sqrt(v + eps)).ToArray();
            if (f32)
                BatchNormF32.Normalize(Mem<float>(x), MutMem<float>(y), n, c, s, mean, invStd, OptMem<float>(w), OptMem<float>(b), OptMem<float>(r), relu);
            else
            {
                NormKernels.BatchNormForward<double>(Mem<double>(x), MutMem<double>(y), n, c, s, mean, invStd, OptMem<double>(w), OptMem<double>(b));
                AddResidualRelu(y, r, relu);
            }
        }

        var output = y.Detach();   // for the ReLU mask; a detached view, so the closure holds no reference to the graph
        string name = relu ? (residual is null ? "batch_norm_relu" : "batch_norm_add_relu") : residual is null ? "batch_norm" : "batch_norm_add";
        return Graph.Record(y, name, [input, weight, bias, residual], g =>
        {
            var dx = input.RequiresGrad ? Tensor.Empty(x.ShapeArray, x.DType) : null;
            var dw = weight is { RequiresGrad: true } ? Tensor.Empty([c], x.DType) : null;
            var db = bias is { RequiresGrad: true } ? Tensor.Empty([c], x.DType) : null;
            Tensor? dy;
            if (relu && f32 && sumOverReplicas is null)
            {
                // The ReLU folded into batch norm's two passes; the residual's gradient (the masked one) is written on the way.
                dy = residual is { RequiresGrad: true } ? Tensor.Empty(x.ShapeArray, x.DType) : null;
                BatchNormF32.BackwardRelu(Mem<float>(x), Mem<float>(output), Mem<float>(g.Contiguous()), OptMut<float>(dy), OptMut<float>(dx),
                    OptMut<float>(dw), OptMut<float>(db), n, c, s, mean, invStd, OptMem<float>(w), training);
                return [dx, .. weight is null ? Array.Empty<Tensor?>() : [dw], .. bias is null ? Array.Empty<Tensor?>() : [db],
                    .. residual is null ? Array.Empty<Tensor?>() : [dy]];
            }
            dy = relu ? ReluGrad(output, g) : g.Contiguous();
            if (sumOverReplicas is not null)
            {
                if (x.DType == DType.Float32) SyncBatchNormBackward<float>(x, dy, dx, dw, db, w, n, c, s, mean, invStd, count, sumOverReplicas);
                else SyncBatchNormBackward<double>(x, dy, dx, dw, db, w, n, c, s, mean, invStd, count, sumOverReplicas);
            }
            else if (x.DType == DType.Float32)
                BatchNormF32.Backward(Mem<float>(x), Mem<float>(dy), OptMut<float>(dx), OptMut<float>(dw), OptMut<float>(db), n, c, s, mean, invStd, OptMem<float>(w), training);
            else
                NormKernels.BatchNormBackward<double>(Mem<double>(x), Mem<double>(dy), OptMut<double>(dx), OptMut<double>(dw), OptMut<double>(db), n, c, s, mean, invStd, OptMem<double>(w), training);
            return [dx, .. weight is null ? Array.Empty<Tensor?>() : [dw], .. bias is null ? Array.Empty<Tensor?>() : [db],
                .. residual is null ? Array.Empty<Tensor?>() : [residual.RequiresGrad ? dy : null]];
        });
    }

    /// <summary>Turns this replica's per-channel mean and biased variance over <paramref name="localCount"/> values into
    /// the global batch's, in place, through the sums Σx, Σx² and the count; returns the global count.</summary>
    private static long CombineReplicaStats(double[] mean, double[] variance, long localCount, Action<double[]> sumOverReplicas, Tensor input)
    {
        int c = mean.Length;
        var sums = new double[2 * c + 1];
        for (int ch = 0; ch < c && localCount > 0; ch++)
        {
            sums[ch] = mean[ch] * localCount;
            sums[c + ch] = (variance[ch] + mean[ch] * mean[ch]) * localCount;
        }
        sums[2 * c] = localCount;
        sumOverReplicas(sums);
        double total = sums[2 * c];
        // Every replica sees the same total, so all of them throw here or none does (no replica is left waiting).
        if (!(total > 1))
            throw new ArgumentException($"training needs more than one value per channel over all replicas; got {total} (this replica's shape {ShapeMath.Format(input.ShapeArray)})", nameof(input));
        for (int ch = 0; ch < c; ch++)
        {
            mean[ch] = sums[ch] / total;
            variance[ch] = Math.Max(sums[c + ch] / total - mean[ch] * mean[ch], 0);
        }
        return (long)total;
    }

    /// <summary>Synchronised backward: the weight and bias gradients from this replica's sums, the input gradient from
    /// the sums over all replicas (always exchanged, so that every replica makes the same collective calls).</summary>
    private static void SyncBatchNormBackward<T>(Tensor x, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Tensor? w, int n, int c, int s,
        double[] mean, double[] invStd, long count, Action<double[]> sumOverReplicas) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] sumG = new double[c], sumGx = new double[c];
        bool f32 = typeof(T) == typeof(float);   // float32 as the unsynchronised path sums, so N replicas match one
        if (f32) BatchNormF32.GradSums(Mem<float>(x), Mem<float>(dy), n, c, s, mean, invStd, sumG, sumGx);
        else NormKernels.BatchNormGradSums(Mem<T>(x), Mem<T>(dy), n, c, s, mean, invStd, sumG, sumGx);
        NormKernels.WriteChannelSums(OptMut<T>(dw), sumGx);
        NormKernels.WriteChannelSums(OptMut<T>(db), sumG);
        var both = new double[2 * c];
        sumG.CopyTo(both, 0);
        sumGx.CopyTo(both, c);
        sumOverReplicas(both);
        if (dx is null) return;
        if (f32)
            BatchNormF32.InputGrad(Mem<float>(x), Mem<float>(dy), MutMem<float>(dx), n, c, s, mean, invStd, OptMem<float>(w), batchStats: true,
                both[..c], both[c..], count);
        else
            NormKernels.BatchNormInputGrad(Mem<T>(x), Mem<T>(dy), MutMem<T>(dx), n, c, s, mean, invStd, OptMem<T>(w), batchStats: true,
                both[..c], both[c..], count);
    }

    /// <summary>PyTorch's running-statistics update, in place and outside the graph: the variance is the unbiased
    /// one (divided by M - 1, M values per channel).</summary>
    private static void UpdateRunningStats(Tensor runningMean, Tensor runningVar, double[] mean, double[] variance, double momentum, long count)
    {
        if (!runningMean.IsContiguous || !runningVar.IsContiguous)
            throw new ArgumentException("running statistics are updated in place and must be contiguous", nameof(runningMean));
        var rm = runningMean.ToDoubleArray();
        var rv = runningVar.ToDoubleArray();
        for (int i = 0; i < rm.Length; i++)
        {
            rm[i] = (1 - momentum) * rm[i] + momentum * mean[i];
            rv[i] = (1 - momentum) * rv[i] + momentum * variance[i] * count / (count - 1);
        }
        runningMean.CopyFrom(Tensor.FromArray(rm, [rm.Length]));
        runningVar.CopyFrom(Tensor.FromArray(rv, [rv.Length]));
    }

    private static void CheckChannelVector(Tensor? t, int channels, DType dtype, string name)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Size(0) != channels)
            throw new ArgumentException($"{name} must be [{channels}] (one value per channel); got {ShapeMath.Format(t.ShapeArray)}", name);
        if (t.DType != dtype) throw new ArgumentException($"{name} is {t.DType} but the input is {dtype}", name);
    }

    // default(...?) and not null: a bare null would convert to an empty ReadOnlyMemory (through T[]), not to "absent".


    /// <summary>Local response normalisation across channels (AlexNet), as PyTorch defines it:
    /// y_c = x_c / (k + α/size · Σ_j x_j²)^β, j over the <paramref name="size"/> channels
    /// [c - size/2, c + (size-1)/2] (zero-padded). AlexNet: size 5, α 1e-4, β 0.75, k 2. Input [N, C, *], rank ≥ 3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">size &lt; 1, or alpha, beta or k not finite, or k ≤ 0.</exception>
    public static Tensor LocalResponseNorm(Tensor input, int size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3) throw new ArgumentException($"input must be [N, C, *] with at least one spatial dimension; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be >= 1");
        RequireFinite(alpha, nameof(alpha));
        RequireFinite(beta, nameof(beta));
        if (!(k > 0) || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive finite number (it keeps the denominator away from zero)");
        int n = input.Size(0), c = input.Size(1), s = 1;
        for (int d = 2; d < input.Rank; d++) s *= input.Size(d);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty(x.ShapeArray, x.DType);
        var denom = Tensor.Empty(x.ShapeArray, x.DType);
        var power = Tensor.Empty(x.ShapeArray, x.DType);   // d^-β, kept so backward needs no pow
        if (x.DType == DType.Float32) NormKernels.LrnForward<float>(Mem<float>(x), MutMem<float>(y), MutMem<float>(denom), MutMem<float>(power), n, c, s, size, alpha, beta, k);
        else NormKernels.LrnForward<double>(Mem<double>(x), MutMem<double>(y), MutMem<double>(denom), MutMem<double>(power), n, c, s, size, alpha, beta, k);
        return Graph.Record(y, "local_response_norm", [input], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(x.ShapeArray, x.DType);
            if (x.DType == DType.Float32) NormKernels.LrnBackward<float>(Mem<float>(x), Mem<float>(denom), Mem<float>(power), Mem<float>(dy), MutMem<float>(dx), n, c, s, size, alpha, beta);
            else NormKernels.LrnBackward<double>(Mem<double>(x), Mem<double>(denom), Mem<double>(power), Mem<double>(dy), MutMem<double>(dx), n, c, s, size, alpha, beta);
            return [dx];
        });
    }
}

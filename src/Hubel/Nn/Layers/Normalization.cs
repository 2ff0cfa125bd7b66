using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Batch normalisation with PyTorch's names and behaviour: parameters weight (γ, ones) and bias (β, zeros)
/// when affine; buffers running_mean (zeros), running_var (ones) and num_batches_tracked when tracking. Training
/// normalises with the batch statistics and updates the running ones (momentum null = cumulative average over
/// batches); evaluation normalises with the running statistics (with the batch's when not tracking). With
/// <see cref="SyncGroup"/> set, training uses the statistics of the global batch over all replicas (synchronised batch norm).</summary>
public abstract class BatchNorm : Module
{
    private long _batches;

    protected BatchNorm(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive finite number");
        if (momentum is double m && !(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), m, "momentum must be in [0, 1] (or null for a cumulative average)");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            // PyTorch keeps an int64; a float64 scalar counts exactly up to 2^53 batches and saves in safetensors.
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Float64));
        }
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double? Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Null: plain batch norm. Set: synchronised batch norm in training, whose mean and variance (and the
    /// backward's per-channel sums) are those of the global batch over the group's replicas, so N replicas with batch
    /// B/N compute what one would with batch B; the running statistics get the global mean and unbiased variance.
    /// Evaluation is unchanged. Parameters, buffers and state_dict names stay the same, so checkpoints do not change.</summary>
    public IReplicaGroup? SyncGroup { get; set; }

    /// <summary>The input ranks this variant accepts (1d: 2 or 3, 2d: 4, 3d: 5).</summary>
    protected abstract bool AcceptsRank(int rank);

    protected abstract string ExpectedShape { get; }

    public override Tensor Forward(Tensor input) => Run(input, residual: null, relu: false);

    /// <summary>relu(this(input) + residual) as one fused op (<see cref="F.BatchNormRelu"/>): what a residual block's
    /// BN → (+ shortcut) → ReLU computes, with the same statistics bookkeeping as <see cref="Forward"/>.</summary>
    internal Tensor ForwardRelu(Tensor input, Tensor? residual) => Run(input, residual, relu: true);

    private Tensor Run(Tensor input, Tensor? residual, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank))
            throw new ArgumentException($"{GetType().Name} expects {ExpectedShape}; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        double momentum = Momentum ?? 0;
        if (IsTraining && NumBatchesTracked is not null)
        {
            _batches = (long)NumBatchesTracked.Item() + 1;
            NumBatchesTracked.CopyFrom(Tensor.Scalar(_batches, DType.Float64));
            momentum = Momentum ?? 1.0 / _batches;
        }
        Action<double[]>? sumOverReplicas = IsTraining && SyncGroup is { } group ? sums => group.SumOverReplicas(sums) : null;
        bool batchStats = IsTraining || RunningMean is null;
        if (relu) return F.BatchNormRelu(input, residual, RunningMean, RunningVar, Weight, Bias, batchStats, momentum, Eps, sumOverReplicas);
        if (sumOverReplicas is not null) return F.SyncBatchNorm(input, RunningMean, RunningVar, Weight, Bias, momentum, Eps, sumOverReplicas);
        return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, batchStats, momentum, Eps);
    }

    public override string ExtraRepr() =>
        $"{NumFeatures}" + (Eps == 1e-5 ? "" : $", eps={LeakyReLU.Fmt(Eps)}") + (Momentum == 0.1 ? "" : $", momentum={(Momentum is double m ? LeakyReLU.Fmt(m) : "null")}")
        + (Weight is null ? ", affine=false" : "") + (RunningMean is null ? ", trackRunningStats=false" : "");
}

/// <summary>Batch norm over [N, C] or [N, C, L].</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
    DType dtype = DType.Float32) : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
{
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;
    protected override string ExpectedShape => "[N, C] or [N, C, L]";
}

/// <summary>Batch norm over [N, C, H, W].</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
    DType dtype = DType.Float32) : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
{
    protected override bool AcceptsRank(int rank) => rank == 4;
    protected override string ExpectedShape => "[N, C, H, W]";
}

/// <summary>Batch norm over [N, C, D, H, W].</summary>
public sealed class BatchNorm3d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true,
    DType dtype = DType.Float32) : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, dtype)
{
    protected override bool AcceptsRank(int rank) => rank == 5;
    protected override string ExpectedShape => "[N, C, D, H, W]";
}

/// <summary>Local response normalisation across channels (AlexNet: size 5, alpha 1e-4, beta 0.75, k 2).</summary>
public sealed class LocalResponseNorm : Module
{
    public LocalResponseNorm(int size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be a finite number");
        if (!double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a finite number");
        if (!(k > 0) || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive finite number");
        (Size, Alpha, Beta, K) = (size, alpha, beta, k);
    }

    public int Size { get; }
    public double Alpha { get; }
    public double Beta { get; }
    public double K { get; }
    public override Tensor Forward(Tensor input) => F.LocalResponseNorm(input, Size, Alpha, Beta, K);
    public override string ExtraRepr() => $"size={Size}, alpha={LeakyReLU.Fmt(Alpha)}, beta={LeakyReLU.Fmt(Beta)}, k={LeakyReLU.Fmt(K)}";
}

using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

internal static partial class OnnxOpRunner
{
    // Limits that keep a hostile file from asking for gigabytes through one attribute: far above what CNNs use.
    private const int MaxSpatial = 1 << 16;
    private const int MaxStride = 256;
    private const int MaxPad = 1024;
    private const long MaxOutputElements = 1 << 26;

    private static void CheckOutputSize(OnnxNodeAttributes a, ReadOnlySpan<int> inputShape, Func<int, long, long> grow)
    {
        long n = 1;
        for (int i = 0; i < inputShape.Length; i++)
        {
            n = checked(n * grow(i, inputShape[i]));
            if (n > MaxOutputElements) throw a.Bad($"the output would hold more than {MaxOutputElements} elements");
        }
    }

    private sealed record ConvSpec(int[] Kernel, int[] Stride, int[] Dilation, int[] Begin, int[] End, int Group, int[] OutputPadding);

    private static ConvSpec ConvParams(OnnxNodeAttributes a, Tensor w, bool transpose)
    {
        int spatial = w.Rank - 2;
        if (spatial is < 1 or > 3) throw a.Bad($"weight has rank {w.Rank}; 1-D, 2-D and 3-D convolutions (rank 3..5) are supported");
        a.RequireNotSetAutoPad();
        int[] weightKernel = w.Shape[2..].ToArray();
        var kernel = a.Has("kernel_shape") ? a.Ints("kernel_shape", spatial, 1, 1) : weightKernel;
        if (!kernel.SequenceEqual(weightKernel))
            throw a.Bad($"kernel_shape [{string.Join(", ", kernel)}] does not match the weight's [{string.Join(", ", weightKernel)}]");
        var stride = a.Ints("strides", spatial, 1, 1, MaxStride);
        var dilation = a.Ints("dilations", spatial, 1, 1, MaxStride);
        var pads = a.Ints("pads", 2 * spatial, 0, 0, MaxPad);
        int group = (int)a.Int("group", 1, 1, MaxSpatial);
        int channelsOut = transpose ? w.Size(1) * group : w.Size(0);
        if ((transpose ? w.Size(0) : w.Size(0)) % group != 0)
            throw a.Bad($"group {group} does not divide the weight's first dimension {w.Size(0)}");
        if (channelsOut < 1) throw a.Bad("the weight has no output channels");
        int[] outputPadding = transpose ? a.Ints("output_padding", spatial, 0, 0, MaxStride) : new int[spatial];
        if (transpose && !pads[..spatial].SequenceEqual(pads[spatial..]))
            throw a.Bad($"asymmetric pads [{string.Join(", ", pads)}] are not supported for ConvTranspose");
        return new(kernel, stride, dilation, pads[..spatial], pads[spatial..], group, outputPadding);
    }

    private static Tensor Conv(OnnxNodeAttributes a, Tensor x, Tensor w, Tensor? b)
    {
        var s = ConvParams(a, w, transpose: false);
        switch (s.Kernel.Length)
        {
            case 1: return F.Conv1d(x, w, b, s.Stride[0], Padding.Explicit1d(s.Begin[0], s.End[0]), s.Dilation[0], s.Group);
            case 2:
                return F.Conv2d(x, w, b, (s.Stride[0], s.Stride[1]), Padding.Explicit(s.Begin[0], s.End[0], s.Begin[1], s.End[1]),
                    (s.Dilation[0], s.Dilation[1]), s.Group);
            default:
                return F.Conv3d(x, w, b, (s.Stride[0], s.Stride[1], s.Stride[2]),
                    Padding.Explicit3d(s.Begin[0], s.End[0], s.Begin[1], s.End[1], s.Begin[2], s.End[2]), (s.Dilation[0], s.Dilation[1], s.Dilation[2]), s.Group);
        }
    }

    private static Tensor ConvTranspose(OnnxNodeAttributes a, Tensor x, Tensor w, Tensor? b)
    {
        var s = ConvParams(a, w, transpose: true);
        if (x.Rank == s.Kernel.Length + 2)
            CheckOutputSize(a, x.Shape, (i, d) => i < 2 ? (i == 1 ? w.Size(1) * (long)s.Group : d)
                : (d - 1) * s.Stride[i - 2] + (long)s.Dilation[i - 2] * (s.Kernel[i - 2] - 1) + s.OutputPadding[i - 2] + 1);
        var (k, p, o, d) = (s.Stride, s.Begin, s.OutputPadding, s.Dilation);
        return s.Kernel.Length switch
        {
            1 => F.ConvTranspose1d(x, w, b, k[0], p[0], o[0], s.Group, d[0]),
            2 => F.ConvTranspose2d(x, w, b, (k[0], k[1]), (p[0], p[1]), (o[0], o[1]), s.Group, (d[0], d[1])),
            _ => F.ConvTranspose3d(x, w, b, (k[0], k[1], k[2]), (p[0], p[1], p[2]), (o[0], o[1], o[2]), s.Group, (d[0], d[1], d[2])),
        };
    }

    private sealed record PoolSpec(int[] Kernel, int[] Stride, int[] Pads, int[] Dilation, bool Ceil, bool CountIncludePad, int P);

    private static PoolSpec PoolParams(OnnxNodeAttributes a, string op)
    {
        int spatial = a.Count("kernel_shape");
        if (spatial is < 1 or > 3) throw a.Bad("kernel_shape is required with 1 to 3 values");
        if (op == "LpPool" && spatial > 2) throw a.Bad("3-D LpPool is not supported");
        a.RequireNotSetAutoPad();
        var kernel = a.Ints("kernel_shape", spatial, 1, 1, MaxSpatial);
        var stride = a.Ints("strides", spatial, 1, 1, MaxStride);
        var pads = a.SymmetricPads(spatial, MaxPad);
        if (op != "MaxPool" && a.Has("dilations")) throw a.Bad("dilations is only supported for MaxPool");
        if (op != "MaxPool" && a.Has("storage_order")) throw a.Bad("storage_order is only defined for MaxPool");
        if (a.Int("storage_order", 0, 0, 0) != 0) throw a.Bad("storage_order must be 0");
        if (op != "AveragePool" && a.Has("count_include_pad")) throw a.Bad("count_include_pad is only defined for AveragePool");
        if (op != "LpPool" && a.Has("p")) throw a.Bad("p is only defined for LpPool");
        if (op == "LpPool" && (a.Has("ceil_mode") || pads.Any(v => v != 0))) throw a.Bad("LpPool with padding or ceil_mode is not supported");
        var dilation = a.Ints("dilations", spatial, 1, 1, MaxStride);
        int p = (int)a.Int("p", 2, 1, 64);
        // ONNX LpPool sums |x|^p, Hubel x^p: the same only for even p.
        if (op == "LpPool" && p % 2 != 0) throw a.Bad($"LpPool with odd p = {p} is not supported");
        return new(kernel, stride, pads, dilation, a.Int("ceil_mode", 0, 0, 1) == 1, a.Int("count_include_pad", 0, 0, 1) == 1, p);
    }

    private static Tensor Pool(OnnxNodeAttributes a, string op, Tensor x)
    {
        var s = PoolParams(a, op);
        var (k, st, p, d) = (s.Kernel, s.Stride, s.Pads, s.Dilation);
        return (op, k.Length) switch
        {
            ("MaxPool", 1) => F.MaxPool1d(x, k[0], st[0], p[0], d[0], s.Ceil),
            ("MaxPool", 2) => F.MaxPool2d(x, (k[0], k[1]), (st[0], st[1]), (p[0], p[1]), (d[0], d[1]), s.Ceil),
            ("MaxPool", _) => F.MaxPool3d(x, (k[0], k[1], k[2]), (st[0], st[1], st[2]), (p[0], p[1], p[2]), (d[0], d[1], d[2]), s.Ceil),
            ("AveragePool", 1) => F.AvgPool1d(x, k[0], st[0], p[0], s.Ceil, s.CountIncludePad),
            ("AveragePool", 2) => F.AvgPool2d(x, (k[0], k[1]), (st[0], st[1]), (p[0], p[1]), s.Ceil, s.CountIncludePad),
            ("AveragePool", _) => F.AvgPool3d(x, (k[0], k[1], k[2]), (st[0], st[1], st[2]), (p[0], p[1], p[2]), s.Ceil, s.CountIncludePad),
            (_, 1) => F.LpPool1d(x, s.P, k[0], st[0]),
            _ => F.LpPool2d(x, s.P, (k[0], k[1]), (st[0], st[1])),
        };
    }

    private static Tensor PRelu(OnnxNodeAttributes a, Tensor x, Tensor slope)
    {
        if (slope.Numel == 1) return F.Prelu(x, slope.Reshape(1));
        if (x.Rank < 2 || slope.Numel != x.Size(1) || slope.Size(0) != x.Size(1) || slope.Rank > x.Rank - 1)
            throw a.Bad($"slope of shape {ShapeMath.Format(slope.Shape)} is not one value or one per channel of {ShapeMath.Format(x.Shape)}");
        return F.Prelu(x, slope.Reshape(slope.Numel));
    }

    private static Tensor Gemm(OnnxNodeAttributes a, Tensor x, Tensor w, Tensor? c)
    {
        bool transA = a.Int("transA", 0, 0, 1) == 1, transB = a.Int("transB", 0, 0, 1) == 1;
        double alpha = a.Float("alpha", 1), beta = a.Float("beta", 1);
        if (x.Rank != 2 || w.Rank != 2) throw a.Bad($"Gemm needs rank-2 inputs; got {ShapeMath.Format(x.Shape)} and {ShapeMath.Format(w.Shape)}");
        if (!transA && transB && alpha == 1 && beta == 1 && (c is null || c.Rank == 1 && c.Size(0) == w.Size(0)))
            return F.Linear(x, w, c);
        var y = F.MatMul(transA ? x.Transpose(0, 1).Contiguous() : x, transB ? w.Transpose(0, 1).Contiguous() : w);
        if (alpha != 1) y = F.Scale(y, alpha);
        return c is null ? y : F.Add(y, beta == 1 ? c : F.Scale(c, beta));
    }

    private static Tensor x0Reshape(OnnxNodeAttributes a, Tensor x, long[] shape)
    {
        if (shape.Length > 8) throw a.Bad($"target rank {shape.Length} is above 8");
        var dims = new int[shape.Length];
        int infer = -1;
        for (int i = 0; i < shape.Length; i++)
        {
            long v = shape[i];
            if (v == 0)
            {
                if (i >= x.Rank) throw a.Bad($"shape entry {i} is 0 (copy) but the input has rank {x.Rank}");
                dims[i] = x.Size(i);
            }
            else if (v == -1)
            {
                if (infer >= 0) throw a.Bad("more than one -1 in the target shape");
                infer = i;
                dims[i] = 1;
            }
            else if (v is < 1 or > int.MaxValue) throw a.Bad($"shape entry {v} is invalid");
            else dims[i] = (int)v;
        }
        long known = 1;
        foreach (var d in dims) known = checked(known * d);
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0) throw a.Bad($"cannot infer -1: {x.Numel} elements into [{string.Join(", ", shape)}]");
            dims[infer] = (int)(x.Numel / known);
        }
        if (ShapeMath.Numel(dims) != x.Numel) throw a.Bad($"cannot reshape {ShapeMath.Format(x.Shape)} to [{string.Join(", ", shape)}]");
        return x.Contiguous().Reshape(dims);
    }

    private static (UpsampleMode Mode, bool AlignCorners) ResizeMode(OnnxNodeAttributes a)
    {
        var mode = a.String("mode", "nearest");
        var transform = a.String("coordinate_transformation_mode", "half_pixel");
        if (a.Int("exclude_outside", 0, 0, 0) != 0) throw a.Bad("exclude_outside must be 0");
        if (mode == "nearest")
        {
            if (transform != "asymmetric" || a.String("nearest_mode", "round_prefer_floor") != "floor")
                throw a.Bad("nearest Resize is supported with coordinate_transformation_mode 'asymmetric' and nearest_mode 'floor' (PyTorch's nearest)");
            return (UpsampleMode.Nearest, false);
        }
        if (mode != "linear") throw a.Bad($"Resize mode '{mode}' is not supported (nearest, linear)");
        return transform switch
        {
            "pytorch_half_pixel" or "half_pixel" => (UpsampleMode.Bilinear, false),
            "align_corners" => (UpsampleMode.Bilinear, true),
            _ => throw a.Bad($"linear Resize with coordinate_transformation_mode '{transform}' is not supported"),
        };
    }

    private static Tensor Resize(OnnxNodeAttributes a, Tensor x, object?[] args)
    {
        var (mode, alignCorners) = ResizeMode(a);
        if (x.Rank != 4) throw a.Bad("Resize is supported for [N, C, H, W] input");
        long oh, ow;
        if (args.Length > 3 && args[3] is long[] sizes)
        {
            if (sizes.Length != 4 || sizes[0] != x.Size(0) || sizes[1] != x.Size(1)) throw a.Bad($"sizes [{string.Join(", ", sizes)}] must keep N and C");
            (oh, ow) = (sizes[2], sizes[3]);
        }
        else if (args.Length > 2 && args[2] is Tensor { Numel: 4 } scales)
        {
            var s = scales.ToDoubleArray();
            if (s[0] != 1 || s[1] != 1 || !(s[2] > 0) || !(s[3] > 0)) throw a.Bad($"scales [{string.Join(", ", s)}] must be [1, 1, sh > 0, sw > 0]");
            (oh, ow) = ((long)Math.Floor(x.Size(2) * s[2]), (long)Math.Floor(x.Size(3) * s[3]));
        }
        else throw a.Bad("Resize needs scales (4 floats) or sizes (4 int64)");
        if (oh is < 1 or > MaxSpatial || ow is < 1 or > MaxSpatial) throw a.Bad($"output size {oh}x{ow} is outside [1, {MaxSpatial}]");
        CheckOutputSize(a, x.Shape, (i, d) => i == 2 ? oh : i == 3 ? ow : d);
        return F.Upsample(x, size: ((int)oh, (int)ow), mode: mode, alignCorners: alignCorners);
    }

    private static Tensor Pad(OnnxNodeAttributes a, Tensor x, long[] pads, Tensor? constant)
    {
        var mode = a.String("mode", "constant") switch
        {
            "constant" => PaddingMode.Zeros,
            "reflect" => PaddingMode.Reflect,
            "edge" => PaddingMode.Replicate,
            var m => throw a.Bad($"Pad mode '{m}' is not supported (constant, reflect, edge)"),
        };
        if (constant is not null && constant.ToDoubleArray().Any(v => v != 0)) throw a.Bad("only zero constant padding is supported");
        int r = x.Rank;
        if (pads.Length != 2 * r) throw a.Bad($"pads has {pads.Length} values for a rank-{r} input; expected {2 * r}");
        if (pads.Any(p => p is < 0 or > MaxPad)) throw a.Bad($"pads [{string.Join(", ", pads)}] must be in [0, {MaxPad}] (cropping is not supported)");
        CheckOutputSize(a, x.Shape, (i, d) => d + pads[i] + pads[i + r]);
        int first = Enumerable.Range(0, r).FirstOrDefault(d => pads[d] != 0 || pads[d + r] != 0, r);
        if (first == r) return x;
        if (r - first > 3) throw a.Bad("padding more than the last 3 dimensions is not supported");
        var list = new List<int>();
        for (int d = r - 1; d >= first; d--) { list.Add((int)pads[d]); list.Add((int)pads[d + r]); }
        return F.Pad(x, [.. list], mode);
    }

    private static Tensor Slice(OnnxNodeAttributes a, Tensor x, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        if (ends.Length != starts.Length || axes is not null && axes.Length != starts.Length || steps is not null && steps.Length != starts.Length)
            throw a.Bad("starts, ends, axes and steps must have the same length");
        for (int i = 0; i < starts.Length; i++)
        {
            long axisValue = axes?[i] ?? i;
            int axis = Axis(a, axisValue, x.Rank);
            long step = steps?[i] ?? 1;
            if (step < 1) throw a.Bad($"step {step} is not supported (only positive steps)");
            long size = x.Size(axis);
            long start = starts[i] < 0 ? Math.Max(0, starts[i] + size) : Math.Min(starts[i], size);
            long end = ends[i] < 0 ? Math.Max(0, ends[i] + size) : Math.Min(ends[i], size);
            x = x.Slice(axis, (int)start, (int)Math.Max(start, end), (int)Math.Min(step, int.MaxValue));
        }
        return x;
    }

    private static Tensor Expand(OnnxNodeAttributes a, Tensor x, long[] shape)
    {
        if (shape.Length > 8) throw a.Bad($"target rank {shape.Length} is above 8");
        int rank = Math.Max(shape.Length, x.Rank);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            long s = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
            int xi = i - (rank - x.Rank);
            long d = xi >= 0 ? x.Size(xi) : 1;
            if (s is < 1 or > MaxSpatial * 256L) throw a.Bad($"shape entry {s} is invalid");
            if (d != 1 && s != 1 && d != s) throw a.Bad($"cannot broadcast {ShapeMath.Format(x.Shape)} to [{string.Join(", ", shape)}]");
            result[i] = (int)Math.Max(d, s);
        }
        CheckOutputSize(a, result, (_, d) => d);
        return x.Contiguous().Reshape([.. Enumerable.Repeat(1, rank - x.Rank), .. x.Shape]).BroadcastTo(result);
    }

    private static Tensor Unsqueeze(OnnxNodeAttributes a, Tensor x, long[] axes)
    {
        int rank = x.Rank + axes.Length;
        if (rank > 8) throw a.Bad($"output rank {rank} is above 8");
        var inserted = axes.Select(v => Axis(a, v, rank)).ToArray();
        if (inserted.Distinct().Count() != inserted.Length) throw a.Bad("axes repeat");
        var shape = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) shape[i] = inserted.Contains(i) ? 1 : x.Size(j++);
        return x.Contiguous().Reshape(shape);
    }
}

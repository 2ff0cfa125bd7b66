using Hubel.Autograd;
using Hubel.Tensors;
using static Hubel.Serialization.Onnx.OnnxGraphBuilder;

namespace Hubel.Serialization.Onnx;

/// <summary>ONNX nodes for ops recorded on the autograd tape outside the layers of <see cref="OnnxLayerExport"/>: arithmetic,
/// activations without hyper-parameters, views (reshape, permute, slice), concatenation, linear/matmul, softmax and
/// adaptive pooling. What the tape does not record is recovered from the tensors themselves: a concatenation's axis from
/// the shapes, a permutation or slice from the view's strides, a softmax's axis from which axis sums to one.</summary>
internal static class OnnxOpExport
{
    public static readonly string[] Supported =
    [
        "add", "sub", "mul", "div", "relu", "sigmoid", "tanh", "reshape", "permute", "contiguous", "slice", "expand", "cat",
        "linear", "matmul", "softmax", "log_softmax", "adaptive_avg_pool2d", "adaptive_max_pool2d", "sum_dim", "scale", "add_scalar", "pad",
    ];

    public static string Emit(OnnxExportWalker w, GradFn fn, Tensor output)
    {
        var b = w.Builder;
        var inputs = fn.Inputs;
        string In(int i) => w.Emit(inputs[i]);
        switch (fn.Name)
        {
            case "add": return b.Node("Add", [In(0), In(1)]);
            case "sub": return b.Node("Sub", [In(0), In(1)]);
            case "mul": return b.Node("Mul", [In(0), In(1)]);
            case "div": return b.Node("Div", [In(0), In(1)]);
            case "relu": return b.Node("Relu", [In(0)]);
            case "sigmoid": return b.Node("Sigmoid", [In(0)]);
            case "tanh": return b.Node("Tanh", [In(0)]);
            case "contiguous": return In(0);
            case "reshape":
            {
                // Keep the batch dimension symbolic (0 = copy from the input) when the reshape leaves it alone.
                var shape = output.ShapeArray.Select(d => (long)d).ToArray();
                if (shape.Length > 0 && inputs[0].Rank > 0 && output.ShapeArray[0] == inputs[0].ShapeArray[0]) shape[0] = 0;
                return b.Node("Reshape", [In(0), b.Int64s(shape)]);
            }
            case "permute": return b.Node("Transpose", [In(0)], Ints("perm", Permutation(inputs[0], output)));
            case "slice": return Slice(w, inputs[0], output);
            case "expand": return b.Node("Expand", [In(0), b.Int64s(output.ShapeArray.Select(d => (long)d).ToArray())]);
            case "cat":
                return b.Node("Concat", inputs.Select(w.Emit).ToArray(), Int("axis", ConcatAxis(inputs, output)));
            case "linear":
            {
                var x = In(0);
                if (inputs[0].Rank == 2)
                    return b.Node("Gemm", inputs.Length == 3 ? [x, In(1), In(2)] : [x, In(1)], Int("transB", 1));
                var product = b.Node("MatMul", [x, b.Node("Transpose", [In(1)], Ints("perm", 1, 0))]);
                return inputs.Length == 3 ? b.Node("Add", [product, In(2)]) : product;
            }
            case "matmul": return b.Node("MatMul", [In(0), In(1)]);
            case "softmax": return b.Node("Softmax", [In(0)], Int("axis", SoftmaxAxis(output, log: false)));
            case "log_softmax": return b.Node("LogSoftmax", [In(0)], Int("axis", SoftmaxAxis(output, log: true)));
            case "adaptive_avg_pool2d": return AdaptivePool(w, inputs[0], output, max: false);
            case "adaptive_max_pool2d": return AdaptivePool(w, inputs[0], output, max: true);
            case "sum_dim": return ReduceSum(w, inputs[0], output);
            case "scale": return b.Node("Mul", [In(0), b.Constant([ScalarFactor(inputs[0], output, add: false)], [], output.DType)]);
            case "add_scalar": return b.Node("Add", [In(0), b.Constant([ScalarFactor(inputs[0], output, add: true)], [], output.DType)]);
            case "pad": return OnnxPadExport.ZeroPad(w, inputs[0], output);
            default:
                throw new NotSupportedException($"ONNX export: op '{fn.Name}' is not supported outside its layer module (ops exported from the tape: {string.Join(", ", Supported)}; layers: conv, transposed conv, pools, LeakyReLU, ELU, Softplus, PReLU, batch norm, LRN, Upsample)");
        }
    }

    /// <summary>A permute view's strides are its input's strides reordered; match them back (size-1 axes are interchangeable).</summary>
    private static int[] Permutation(Tensor input, Tensor output)
    {
        var perm = new int[output.Rank];
        var used = new bool[input.Rank];
        for (int i = 0; i < output.Rank; i++)
        {
            int found = -1;
            for (int j = 0; j < input.Rank && found < 0; j++)
                if (!used[j] && input.ShapeArray[j] == output.ShapeArray[i] && (input.StridesArray[j] == output.StridesArray[i] || input.ShapeArray[j] == 1)) found = j;
            if (found < 0) throw new NotSupportedException("ONNX export: cannot recover a permutation from the view's strides");
            used[found] = true;
            perm[i] = found;
        }
        return perm;
    }

    /// <summary>A one-axis slice view: the axis is where the shape or stride changed; start and step follow from offset and stride.</summary>
    private static string Slice(OnnxExportWalker w, Tensor input, Tensor output)
    {
        int axis = -1;
        for (int i = 0; i < input.Rank; i++)
            if (input.ShapeArray[i] != output.ShapeArray[i] || input.StridesArray[i] != output.StridesArray[i]) { axis = i; break; }
        if (axis < 0) return w.Emit(input); // a full slice is the input itself
        int stride = input.StridesArray[axis];
        if (stride == 0) throw new NotSupportedException("ONNX export: slice of a broadcast axis");
        long step = output.StridesArray[axis] / stride;
        long start = (output.Offset - input.Offset) / stride;
        long end = start + (output.ShapeArray[axis] - 1) * step + 1;
        var b = w.Builder;
        return b.Node("Slice", [w.Emit(input), b.Int64s(start), b.Int64s(end), b.Int64s(axis), b.Int64s(step)]);
    }

    private static int ConcatAxis(Tensor[] inputs, Tensor output)
    {
        for (int d = 0; d < output.Rank; d++)
            if (inputs.Sum(t => (long)t.ShapeArray[d]) == output.ShapeArray[d] && inputs.All(t => t.ShapeArray.Where((_, i) => i != d).SequenceEqual(output.ShapeArray.Where((_, i) => i != d))))
                return d;
        throw new NotSupportedException("ONNX export: cannot recover the concatenation axis");
    }

    /// <summary>The axis along which the (log-)probabilities sum to one; the last such axis when several do.</summary>
    private static int SoftmaxAxis(Tensor output, bool log)
    {
        var values = output.ToDoubleArray();
        var shape = output.ShapeArray;
        for (int axis = output.Rank - 1; axis >= 0; axis--)
        {
            int size = shape[axis], inner = 1;
            for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
            int outer = values.Length / Math.Max(1, size * inner);
            bool ok = true;
            for (int o = 0; o < outer && ok; o++)
                for (int i = 0; i < inner && ok; i++)
                {
                    double sum = 0;
                    for (int k = 0; k < size; k++) { double v = values[(o * size + k) * inner + i]; sum += log ? Math.Exp(v) : v; }
                    ok = Math.Abs(sum - 1) < 1e-3;
                }
            if (ok && size > 1) return axis;
        }
        throw new NotSupportedException("ONNX export: cannot recover the softmax axis");
    }

    private static string AdaptivePool(OnnxExportWalker w, Tensor input, Tensor output, bool max)
    {
        var b = w.Builder;
        int h = input.Size(2), wd = input.Size(3), oh = output.Size(2), ow = output.Size(3);
        if (oh == 1 && ow == 1) return b.Node(max ? "GlobalMaxPool" : "GlobalAveragePool", [w.Emit(input)]);
        if (h % oh != 0 || wd % ow != 0)
        {
            if (max) throw new NotSupportedException($"ONNX export: adaptive max pooling from {h}x{wd} to {oh}x{ow} has uneven windows, which ONNX pooling cannot express");
            return AdaptiveAvgAsMatMul(w, input, h, wd, oh, ow);
        }
        int[] kernel = [h / oh, wd / ow];
        return b.Node(max ? "MaxPool" : "AveragePool", [w.Emit(input)], Ints("kernel_shape", kernel), Ints("strides", kernel));
    }

    /// <summary>The reduced axes: where a kept-dim output has size 1, or the input axes the output skips.</summary>
    private static string ReduceSum(OnnxExportWalker w, Tensor input, Tensor output)
    {
        var b = w.Builder;
        bool keep = output.Rank == input.Rank;
        var axes = new List<long>();
        for (int i = 0, j = 0; i < input.Rank; i++)
        {
            if (keep) { if (output.ShapeArray[i] == 1 && input.ShapeArray[i] != 1) axes.Add(i); continue; }
            if (j < output.Rank && output.ShapeArray[j] == input.ShapeArray[i]) j++;
            else axes.Add(i);
        }
        // Shapes alone can be ambiguous ([2, 3, 3] → [2, 3]); the recomputed sum must equal the recorded one.
        var check = axes.Count == 0 ? input : Hubel.Ops.F.Sum(input.Detach(), [.. axes.Select(a => (int)a)], keep);
        if (!check.Shape.SequenceEqual(output.Shape) || check.ToDoubleArray().Zip(output.ToDoubleArray()).Any(p => Math.Abs(p.First - p.Second) > 1e-4 * (1 + Math.Abs(p.Second))))
            throw new NotSupportedException("ONNX export: cannot recover the reduced axes of a sum");
        return b.Node("ReduceSum", [w.Emit(input), b.Int64s([.. axes])], Int("keepdims", keep ? 1 : 0));
    }

    /// <summary>The scalar of x·s or x + s, read off the element of largest magnitude (float rounding stays ~1e-7 relative).</summary>
    private static double ScalarFactor(Tensor input, Tensor output, bool add)
    {
        var x = input.ToDoubleArray();
        var y = output.ToDoubleArray();
        if (x.Length == 0) return add ? 0 : 1;
        int at = 0;
        for (int i = 1; i < x.Length; i++) if (Math.Abs(x[i]) > Math.Abs(x[at])) at = i;
        if (add) return y[at] - x[at];
        if (x[at] == 0) throw new NotSupportedException("ONNX export: cannot recover a scale factor from an all-zero input");
        return y[at] / x[at];
    }

    /// <summary>Uneven adaptive average pooling is linear: [N, C, H·W] times a constant [H·W, OH·OW] matrix of PyTorch's
    /// bins (start ⌊o·H/OH⌋, end ⌈(o+1)·H/OH⌉), reshaped back — exact, and also covers OH &gt; H.</summary>
    private static string AdaptiveAvgAsMatMul(OnnxExportWalker w, Tensor input, int h, int wd, int oh, int ow)
    {
        var b = w.Builder;
        var weights = new double[h * wd * oh * ow];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                int y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh, x0 = ox * wd / ow, x1 = ((ox + 1) * wd + ow - 1) / ow;
                double share = 1.0 / ((y1 - y0) * (x1 - x0));
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++) weights[(y * wd + x) * oh * ow + oy * ow + ox] = share;
            }
        var flat = b.Node("Reshape", [w.Emit(input), b.Int64s(0, input.Size(1), h * wd)]);
        var pooled = b.Node("MatMul", [flat, b.Constant(weights, [h * wd, oh * ow], input.DType)]);
        return b.Node("Reshape", [pooled, b.Int64s(0, input.Size(1), oh, ow)]);
    }
}

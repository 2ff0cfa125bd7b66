using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>Executes one ONNX node with <see cref="F"/> and validates nodes at load time: op and domain supported,
/// attribute names known, input and output counts in range, and (where the weight is an initializer) hyper-parameters
/// consistent with it. Attribute parsing is shared by both, so a file that loads runs with the checked values.</summary>
internal static partial class OnnxOpRunner
{
    private static readonly string[] ConvAttrs = ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"];
    private static readonly string[] PoolAttrs = ["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "storage_order", "strides", "p"];

    /// <summary>op → (allowed attributes, min inputs, max inputs).</summary>
    private static readonly Dictionary<string, (string[] Attrs, int Min, int Max)> Ops = new()
    {
        ["Conv"] = (ConvAttrs, 2, 3),
        ["ConvTranspose"] = ([.. ConvAttrs, "output_padding"], 2, 3),
        ["MaxPool"] = (PoolAttrs, 1, 1),
        ["AveragePool"] = (PoolAttrs, 1, 1),
        ["LpPool"] = (PoolAttrs, 1, 1),
        ["GlobalAveragePool"] = ([], 1, 1),
        ["GlobalMaxPool"] = ([], 1, 1),
        ["Relu"] = ([], 1, 1),
        ["Sigmoid"] = ([], 1, 1),
        ["Tanh"] = ([], 1, 1),
        ["Softplus"] = ([], 1, 1),
        ["Identity"] = ([], 1, 1),
        ["LeakyRelu"] = (["alpha"], 1, 1),
        ["Elu"] = (["alpha"], 1, 1),
        ["PRelu"] = ([], 2, 2),
        ["BatchNormalization"] = (["epsilon", "momentum", "training_mode"], 5, 5),
        ["LRN"] = (["alpha", "beta", "bias", "size"], 1, 1),
        ["Gemm"] = (["alpha", "beta", "transA", "transB"], 2, 3),
        ["MatMul"] = ([], 2, 2),
        ["Flatten"] = (["axis"], 1, 1),
        ["Reshape"] = ([], 2, 2),
        ["Concat"] = (["axis"], 1, 4096),
        ["Add"] = ([], 2, 2),
        ["Sub"] = ([], 2, 2),
        ["Mul"] = ([], 2, 2),
        ["Div"] = ([], 2, 2),
        ["Resize"] = (["coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value", "mode", "nearest_mode"], 1, 4),
        ["Softmax"] = (["axis"], 1, 1),
        ["LogSoftmax"] = (["axis"], 1, 1),
        ["Dropout"] = (["seed"], 1, 3),
        ["Pad"] = (["mode"], 2, 3),
        ["Transpose"] = (["perm"], 1, 1),
        ["Slice"] = ([], 3, 5),
        ["Expand"] = ([], 2, 2),
        ["Unsqueeze"] = ([], 2, 2),
        ["Constant"] = (["value"], 0, 0),
    };

    /// <summary>The op types an imported graph may use.</summary>
    public static IReadOnlyCollection<string> Supported => Ops.Keys;

    public static OnnxNodeAttributes Check(OnnxNodeProto node, Func<string, bool> isInt, Func<string, Tensor?> weight)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            throw new InvalidDataException($"ONNX node '{node.Name}': domain '{node.Domain}' is not supported (only the default ONNX domain)");
        if (!Ops.TryGetValue(node.OpType, out var spec))
            throw new InvalidDataException($"ONNX node '{node.Name}': op '{node.OpType}' is not supported; supported ops: {string.Join(", ", Ops.Keys.Order())}");
        if (node.Inputs.Count < spec.Min || node.Inputs.Count > spec.Max)
            throw new InvalidDataException($"ONNX node '{node.Name}' ({node.OpType}) has {node.Inputs.Count} inputs; expected {spec.Min}..{spec.Max}");
        if (node.Outputs.Count != 1)
            throw new InvalidDataException($"ONNX node '{node.Name}' ({node.OpType}) has {node.Outputs.Count} outputs; only single-output use is supported");
        var a = new OnnxNodeAttributes(node, spec.Attrs);
        for (int i = 0; i < node.Inputs.Count; i++)
            if (node.Inputs[i].Length == 0 && !(node.OpType is "Resize" or "Dropout" or "Pad" && i > 0) && !(node.OpType is "Conv" or "ConvTranspose" or "Gemm" && i == 2))
                throw a.Bad($"input {i} is missing (empty name)");
        switch (node.OpType)
        {
            case "Conv" or "ConvTranspose" when weight(node.Inputs[1]) is { } w:
                ConvParams(a, w, node.OpType == "ConvTranspose");
                break;
            case "MaxPool" or "AveragePool" or "LpPool":
                PoolParams(a, node.OpType);
                break;
            case "BatchNormalization":
                if (a.Int("training_mode", 0, 0, 1) != 0) throw a.Bad("training_mode = 1 is not supported for inference");
                break;
            case "LRN":
                a.Int("size", -1, 1, 1 << 16);
                if (!a.Has("size")) throw a.Bad("attribute 'size' is required");
                break;
            case "Reshape" or "Expand" or "Pad" or "Slice" or "Unsqueeze":
                for (int i = 1; i < node.Inputs.Count; i++)
                    if (node.Inputs[i].Length > 0 && !isInt(node.Inputs[i]) && !(node.OpType == "Pad" && i == 2))
                        throw a.Bad($"input '{node.Inputs[i]}' must be a constant int64 tensor (an initializer or Constant)");
                break;
            case "Gemm":
                a.Int("transA", 0, 0, 1);
                a.Int("transB", 0, 0, 1);
                break;
            case "Resize":
                ResizeMode(a);
                break;
            case "Constant":
                a.Tensor("value");
                break;
        }
        return a;
    }

    public static object Run(OnnxNodeProto node, OnnxNodeAttributes a, object?[] args)
    {
        Tensor X(int i) => args[i] as Tensor ?? throw a.Bad($"input {i} must be a float tensor");
        long[] Ints(int i) => args[i] as long[] ?? throw a.Bad($"input {i} must be an int64 tensor");
        Tensor? Opt(int i) => i < args.Length ? args[i] as Tensor : null;
        switch (node.OpType)
        {
            case "Conv": return Conv(a, X(0), X(1), Opt(2));
            case "ConvTranspose": return ConvTranspose(a, X(0), X(1), Opt(2));
            case "MaxPool" or "AveragePool" or "LpPool": return Pool(a, node.OpType, X(0));
            case "GlobalAveragePool":
                if (X(0).Rank < 3) throw a.Bad("input must be [N, C, spatial...]");
                return F.Mean(X(0), Enumerable.Range(2, X(0).Rank - 2).ToArray(), keepDim: true);
            case "GlobalMaxPool":
                if (X(0).Rank != 4) throw a.Bad("GlobalMaxPool is supported for [N, C, H, W] input");
                return F.GlobalMaxPool2d(X(0));
            case "Relu": return F.Relu(X(0));
            case "Sigmoid": return F.Sigmoid(X(0));
            case "Tanh": return F.Tanh(X(0));
            case "Softplus": return F.Softplus(X(0));
            case "Identity": return args[0]!;
            case "Dropout": return X(0);
            case "LeakyRelu": return F.LeakyRelu(X(0), a.Float("alpha", 0.01));
            case "Elu": return F.Elu(X(0), a.Float("alpha", 1.0));
            case "PRelu": return PRelu(a, X(0), X(1));
            case "BatchNormalization":
                return F.BatchNorm(X(0), X(3), X(4), X(1), X(2), training: false, eps: a.Float("epsilon", 1e-5));
            case "LRN":
                return F.LocalResponseNorm(X(0), (int)a.Int("size", 1, 1, 1 << 16), a.Float("alpha", 1e-4), a.Float("beta", 0.75), a.Float("bias", 1.0));
            case "Gemm": return Gemm(a, X(0), X(1), Opt(2));
            case "MatMul": return F.MatMul(X(0), X(1));
            case "Flatten":
            {
                var x = X(0);
                int axis = Axis(a, a.Int("axis", 1), x.Rank + 1);
                int outer = ShapeMath.Numel(x.Shape[..axis]);
                return x.Reshape(outer, ShapeMath.Numel(x.Shape[axis..]));
            }
            case "Reshape": return x0Reshape(a, X(0), Ints(1));
            case "Concat":
            {
                var parts = Enumerable.Range(0, args.Length).Select(X).ToArray();
                return F.Cat(parts, Axis(a, a.Int("axis", 0), parts[0].Rank));
            }
            case "Add": return F.Add(X(0), X(1));
            case "Sub": return F.Sub(X(0), X(1));
            case "Mul": return F.Mul(X(0), X(1));
            case "Div": return F.Div(X(0), X(1));
            case "Softmax": return F.Softmax(X(0), Axis(a, a.Int("axis", -1), X(0).Rank));
            case "LogSoftmax": return F.LogSoftmax(X(0), Axis(a, a.Int("axis", -1), X(0).Rank));
            case "Resize": return Resize(a, X(0), args);
            case "Pad": return Pad(a, X(0), Ints(1), Opt(2));
            case "Transpose":
            {
                var x = X(0);
                var perm = a.Has("perm") ? a.Ints("perm", x.Rank, 0, 0, x.Rank - 1) : Enumerable.Range(0, x.Rank).Reverse().ToArray();
                if (perm.Distinct().Count() != perm.Length) throw a.Bad($"perm [{string.Join(", ", perm)}] is not a permutation");
                return x.Permute(perm);
            }
            case "Slice": return Slice(a, X(0), Ints(1), Ints(2), args.Length > 3 ? Ints(3) : null, args.Length > 4 ? Ints(4) : null);
            case "Expand": return Expand(a, X(0), Ints(1));
            case "Unsqueeze": return Unsqueeze(a, X(0), Ints(1));
            default: throw a.Bad("op is not supported");
        }
    }

    /// <summary>An ONNX axis attribute in [-rank, rank) normalised to [0, rank).</summary>
    private static int Axis(OnnxNodeAttributes a, long axis, int rank)
    {
        if (axis < -rank || axis >= rank) throw a.Bad($"axis {axis} is outside [{-rank}, {rank})");
        return (int)(axis < 0 ? axis + rank : axis);
    }
}

using Hubel.Tensors;

namespace Hubel.Serialization.Onnx;

/// <summary>A standalone <see cref="Hubel.Ops.F.Pad"/> on the tape (e.g. aligning a skip connection): the tape keeps
/// neither the amounts nor the mode, so both are recovered from the values — the offset at which the input reappears in
/// the output, with zeros everywhere else. Other modes raise <see cref="NotSupportedException"/>.</summary>
internal static class OnnxPadExport
{
    private const int MaxCandidates = 4096;

    public static string ZeroPad(OnnxExportWalker w, Tensor input, Tensor output)
    {
        if (input.Rank != output.Rank) throw new NotSupportedException("ONNX export: pad changed the rank");
        int rank = input.Rank;
        var extra = new int[rank];
        long combos = 1;
        for (int d = 0; d < rank; d++)
        {
            extra[d] = output.ShapeArray[d] - input.ShapeArray[d];
            combos *= extra[d] + 1;
        }
        if (combos > MaxCandidates) throw new NotSupportedException("ONNX export: too many ways to place a padded tensor");
        var x = input.ToDoubleArray();
        var y = output.ToDoubleArray();
        var before = new int[rank];
        for (long c = 0; c < combos; c++)
        {
            long rest = c;
            for (int d = rank - 1; d >= 0; d--) { before[d] = (int)(rest % (extra[d] + 1)); rest /= extra[d] + 1; }
            if (Matches(x, y, input.ShapeArray, output.ShapeArray, before))
            {
                long[] pads = [.. before.Select(v => (long)v), .. before.Select((v, d) => (long)(extra[d] - v))];
                return w.Builder.Node("Pad", [w.Emit(input), w.Builder.Int64s(pads)]);
            }
        }
        throw new NotSupportedException("ONNX export: only zero padding can be exported outside a conv layer (the pad amounts are recovered from the values)");
    }

    /// <summary>True when y holds x at offset <paramref name="before"/> and zeros elsewhere.</summary>
    private static bool Matches(double[] x, double[] y, int[] inShape, int[] outShape, int[] before)
    {
        int rank = inShape.Length;
        var index = new int[rank];
        for (int flat = 0; flat < y.Length; flat++)
        {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--) { index[d] = rem % outShape[d]; rem /= outShape[d]; }
            bool inside = true;
            int src = 0;
            for (int d = 0; d < rank && inside; d++)
            {
                int i = index[d] - before[d];
                inside = i >= 0 && i < inShape[d];
                src = src * inShape[d] + i;
            }
            if (inside ? y[flat] != x[src] : y[flat] != 0) return false;
        }
        return true;
    }
}

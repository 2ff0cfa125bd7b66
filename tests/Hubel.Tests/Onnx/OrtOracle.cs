using Hubel.Nn;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Hubel.Tensors.Tensor;

namespace Hubel.Tests.Onnx;

/// <summary>ONNX Runtime as the oracle: runs exported bytes and compares with Hubel's own forward pass.</summary>
internal static class OrtOracle
{
    public static float[] Run(byte[] model, Tensor input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var dense = new DenseTensor<float>(input.ToFloatArray(), input.Shape.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxFormat.InputName, dense)]);
        return results.First().AsTensor<float>().ToArray();
    }

    /// <summary>Exports <paramref name="model"/>, runs it in ONNX Runtime on a batch of 2 (the export used another input),
    /// and asserts the outputs match Hubel's within <paramref name="tolerance"/>.</summary>
    public static byte[] AssertMatches(Module model, int[] sampleShape, double tolerance = 1e-4, int seed = 7)
    {
        var bytes = OnnxExporter.ExportBytes(model, [1, .. sampleShape]);
        var x = Tensor.Uniform([2, .. sampleShape], -1, 1, new Rng((ulong)seed));
        model.Eval();
        float[] expected;
        using (Hubel.Autograd.Graph.NoGrad()) expected = model.Call(x).ToFloatArray();
        var actual = Run(bytes, x);
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"max |Hubel - ORT| = {worst:g3} > {tolerance}");
        return bytes;
    }
}

using Hubel.Models;
using Hubel.Tensors;

namespace Hubel.Tests.Onnx;

/// <summary>The model zoo through ONNX: each family (residual adds, dense concatenation, inception branches,
/// channel shuffle, depthwise-separable and squeeze-excitation blocks, transposed-conv and bilinear decoders) exported at its
/// smallest input and run in ONNX Runtime, equal to Hubel within 1e-4. The very deep variants repeat these blocks.</summary>
public class OnnxZooExportTests
{
    public static TheoryData<string> Families => new(
        "lenet5", "network3", "nielsen-dropout", "resnet20", "resnet18", "resnet50", "se-resnet18", "densenet-bc-100", "googlenet",
        "nin", "mobilenet_v1", "mobilenet_v2", "shufflenet_v1", "shufflenet_v2_x0_5", "xception", "alexnet-paper", "fcn", "fcn-bilinear", "textcnn");

    [Theory]
    [MemberData(nameof(Families))]
    public void Zoo_model_exports_and_matches_onnx_runtime(string name)
    {
        var entry = ModelZoo.Entry(name);
        int size = entry.FixedSize ? entry.DefaultSize : Math.Max(entry.MinSize, 16);
        var model = ModelZoo.Create(name, numClasses: 5, inChannels: 2, rng: new Rng(21));
        OrtOracle.AssertMatches(model, [2, size, size]);
    }
}

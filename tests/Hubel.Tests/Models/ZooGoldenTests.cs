using Hubel.Models;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>Every zoo model that torchvision also defines has torchvision's state_dict: the same names in the same
/// order with the same shapes, and the same parameter count, so torchvision weights load by name.</summary>
public class ZooGoldenTests
{
    public static TheoryData<string> TorchvisionModels() => new(ZooTestKit.GoldenNames());

    [Theory]
    [MemberData(nameof(TorchvisionModels))]
    public void State_names_shapes_and_parameter_count_equal_torchvision(string name)
    {
        var (parameters, state) = ZooTestKit.Golden(name);
        var net = ModelZoo.Create(name, numClasses: 1000, inChannels: 3, rng: new Rng(1));
        Assert.Equal(parameters, net.ParameterCount());
        Assert.Equal(state, ZooTestKit.State(net));
        // The ImageNet head really is on the end, and the registry's minimum input size is exact.
        ZooShapeTests.CheckMinimumInput(name, net, 1000, 3);
    }

    [Fact]
    public void Golden_files_cover_the_issue_reference_counts()
    {
        // The numbers the issue fixes (torchvision's definitions); the theory above checks Hubel against these files.
        var expected = new Dictionary<string, long>
        {
            ["alexnet"] = 61_100_840, ["vgg16"] = 138_357_544, ["vgg19"] = 143_667_240, ["googlenet"] = 6_624_904,
            ["resnet18"] = 11_689_512, ["resnet50"] = 25_557_032, ["densenet121"] = 7_978_856, ["mobilenet_v2"] = 3_504_872,
            ["shufflenet_v2_x1_0"] = 2_278_604,
        };
        foreach (var (name, count) in expected) Assert.Equal((name, count), (name, ZooTestKit.Golden(name).Parameters));
        Assert.Equal(61_706, new LeNet5(rng: new Rng(0)).ParameterCount());
    }
}

using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void LeNet5_has_the_peer_models_61706_parameters_with_pytorch_names()
    {
        var model = new LeNet5(rng: new Rng(0));
        Assert.Equal(61706, model.ParameterCount());
        Assert.Equal(
            ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"],
            model.NamedParameters().Select(p => p.Name));
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void LeNet5_maps_a_batch_of_28x28_images_to_10_logits()
    {
        var model = new LeNet5(rng: new Rng(0));
        var y = model.Forward(Tensor.Normal([3, 1, 28, 28], 0, 1, new Rng(1)));
        Assert.Equal([3, 10], y.Shape.ToArray());
        Assert.All(y.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Sequential_names_children_by_index()
    {
        var net = new Sequential(new Conv2d(1, 2, 3, rng: new Rng(0)), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3, rng: new Rng(0)));
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias"], net.NamedParameters().Select(p => p.Name));
        Assert.Equal([2, 3], net.Forward(Tensor.Zeros([2, 1, 6, 6])).Shape.ToArray());
        Assert.Contains("(0): Conv2d(1, 2, kernel=3)", net.ToString());
    }

    [Fact]
    public void Train_and_eval_propagate_to_children()
    {
        var net = new Sequential(new ReLU(), new Sequential(new Tanh()));
        net.Eval();
        Assert.False(((Sequential)net[1])[0].IsTraining);
        net.Train();
        Assert.True(((Sequential)net[1])[0].IsTraining);
    }

    [Fact]
    public void Default_init_matches_pytorch_bounds()
    {
        // PyTorch: kaiming_uniform(a=√5) => U(-1/√fan_in, 1/√fan_in); bias the same bound.
        var conv = new Conv2d(6, 16, 5, rng: new Rng(0));
        double bound = 1 / Math.Sqrt(6 * 25);
        Assert.All(conv.Weight.ToDoubleArray(), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(conv.Weight.ToDoubleArray().Max(Math.Abs) > 0.9 * bound);
        Assert.All(conv.Bias!.ToDoubleArray(), v => Assert.InRange(Math.Abs(v), 0, bound));
    }

    [Fact]
    public void Kaiming_and_xavier_have_the_documented_spread()
    {
        var rng = new Rng(9);
        var he = Init.KaimingNormal([256, 128, 3, 3], rng).ToDoubleArray();
        Assert.InRange(Std(he), 0.97 * Math.Sqrt(2.0 / 1152), 1.03 * Math.Sqrt(2.0 / 1152));
        var xu = Init.XavierUniform([300, 200], rng: rng).ToDoubleArray();
        double b = Math.Sqrt(6.0 / 500);
        Assert.All(xu, v => Assert.InRange(v, -b, b));
        Assert.InRange(Std(xu), 0.97 * b / Math.Sqrt(3), 1.03 * b / Math.Sqrt(3));
        var xn = Init.XavierNormal([300, 200], rng: rng).ToDoubleArray();
        Assert.InRange(Std(xn), 0.97 * Math.Sqrt(2.0 / 500), 1.03 * Math.Sqrt(2.0 / 500));
    }

    private static double Std(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Select(x => (x - m) * (x - m)).Average());
    }

    [Fact]
    public void Layer_constructors_validate_hyper_parameters_naming_the_argument()
    {
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 1, 3, stride: 0)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(3, 6, 3, groups: 2)).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 1, 3, dilation: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 1, 3, padding: -1)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, padding: 2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 3));
    }

    [Fact]
    public void Load_parameters_copies_by_name_and_reports_mismatches()
    {
        var a = new LeNet5(rng: new Rng(1));
        var b = new LeNet5(rng: new Rng(2));
        b.LoadParameters(a.NamedParameters().ToDictionary(p => p.Name, p => p.Value));
        Assert.Equal(a.Fc3.Weight.ToFloatArray(), b.Fc3.Weight.ToFloatArray());
        var partial = a.NamedParameters().Where(p => p.Name != "fc3.bias").ToDictionary(p => p.Name, p => p.Value);
        var e = Assert.Throws<ArgumentException>(() => b.LoadParameters(partial));
        Assert.Contains("fc3.bias", e.Message);
        var wrong = a.NamedParameters().ToDictionary(p => p.Name, p => p.Name == "fc3.bias" ? Tensor.Zeros([3]) : p.Value);
        Assert.Contains("fc3.bias", Assert.Throws<ArgumentException>(() => b.LoadParameters(wrong)).Message);
    }

    [Fact]
    public void A_few_sgd_steps_fit_a_tiny_batch()
    {
        Init.ManualSeed(3);
        var model = new LeNet5();
        var opt = new Hubel.Optim.Sgd(model.Parameters(), 0.05, 0.9);
        var x = Tensor.Normal([8, 1, 28, 28], 0, 1, new Rng(4));
        int[] y = [0, 1, 2, 3, 4, 5, 6, 7];
        double first = 0, last = 0;
        for (int i = 0; i < 40; i++)
        {
            var loss = F.CrossEntropy(model.Forward(x), y);
            if (i == 0) first = loss.Item();
            last = loss.Item();
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
        }
        Assert.True(last < 0.2 * first, $"loss went from {first} to {last}");
    }
}

using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Formulas the notes state without numbers (docs/notes-examples.md F01, F02, F15, F16), instantiated with
/// small inputs; expected values to 17 significant digits from tools/notes/derive_examples.py. Leaky ReLU, PReLU, ELU
/// and Maxout (F02) are later(activations). Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt,
/// S4 = 004_a7da2731f31c01ab.txt.</summary>
public class ActivationAndLossExamples
{
    private static readonly double[] SoftmaxOf123 = [0.090030573170380462, 0.24472847105479767, 0.6652409557748219];

    private static Tensor Logits123() => Tensor.FromArray([1.0, 2.0, 3.0], [1, 3]);

    // F01 — S1 "对于分类问题：使用" softmax y_i = e^{z_i}/Σ e^{z_i} (stated formula). Derived: softmax([1,2,3]) =
    // [0.090031, 0.244728, 0.665241], log_softmax = [−2.407606, −1.407606, −0.407606], cross-entropy with target class 2 = 0.407606.
    [Fact]
    public void F01_Softmax_LogSoftmax_CrossEntropy_Of_1_2_3()
    {
        Equal(SoftmaxOf123, F.Softmax(Logits123()).ToDoubleArray(), 1e-15);
        Equal([-2.4076059644443801, -1.4076059644443801, -0.4076059644443803], F.LogSoftmax(Logits123()).ToDoubleArray(), 1e-15);
        Assert.Equal(0.4076059644443803, F.CrossEntropy(Logits123(), [2]).Item(), 15);
        Assert.Equal(1.0, F.Softmax(Logits123()).ToDoubleArray().Sum(), 15);
    }

    // F16 — S4 "卷积神经网络的学习": "通过在最后一层的softmax分类函数，以及多分类交叉熵函数，对比图片的OneHot编码标签，回传误差值" (stated);
    // S0 §5.25 log-likelihood cost. Derived: the gradient of the batch-mean cross-entropy is (softmax − onehot)/N:
    // for [1,2,3] with target 2 it is [0.090031, 0.244728, −0.334759]; a batch of two identical rows halves it; one gradient
    // step on the logits lowers the loss.
    [Fact]
    public void F16_CrossEntropyGradient_IsSoftmaxMinusOneHot_OverBatch()
    {
        var z = Logits123().RequireGrad();
        var loss = F.CrossEntropy(z, [2]);
        loss.Backward();
        double[] expected = [0.090030573170380462, 0.24472847105479767, -0.3347590442251781];
        Equal(expected, z.Grad!.ToDoubleArray(), 1e-15);

        var batch = Tensor.FromArray([1.0, 2, 3, 1, 2, 3], [2, 3]).RequireGrad();
        F.CrossEntropy(batch, [2, 2]).Backward();
        Equal([.. expected.Select(v => v / 2), .. expected.Select(v => v / 2)], batch.Grad!.ToDoubleArray(), 1e-15);

        var stepped = Tensor.FromArray(Enumerable.Range(0, 3).Select(i => z[0, i] - z.Grad![0, i]).ToArray(), [1, 3]);
        Assert.True(F.CrossEntropy(stepped, [2]).Item() < loss.Item());
    }

    // F02 — S1 "激活函数": σ(x) = 1/(1+e^{−x}), tanh(x), ReLU max(0, x) (stated definitions). Derived: σ(0) = 0.5,
    // σ(1) = 0.7310586, tanh(1) = 0.7615942, relu(−2) = 0, relu(3) = 3; derivatives σ'(1) = σ(1)(1−σ(1)) = 0.1966119,
    // tanh'(1) = 1 − tanh²(1) = 0.4199743, relu'(−2) = 0, relu'(3) = 1.
    [Theory]
    [InlineData("sigmoid", 0.0, 0.5, 0.25)]
    [InlineData("sigmoid", 1.0, 0.7310585786300049, 0.19661193324148185)]
    [InlineData("tanh", 1.0, 0.76159415595576485, 0.41997434161402614)]
    [InlineData("relu", -2.0, 0.0, 0.0)]
    [InlineData("relu", 3.0, 3.0, 1.0)]
    public void F02_SigmoidTanhRelu_ValuesAndDerivatives(string name, double x, double value, double derivative)
    {
        var t = Tensor.FromArray([x], [1]).RequireGrad();
        var y = name switch { "sigmoid" => F.Sigmoid(t), "tanh" => F.Tanh(t), _ => F.Relu(t) };
        Assert.Equal(value, y[0], 15);
        y.Sum().Backward();
        Assert.Equal(derivative, t.Grad![0], 15);
    }

    // F15 — S1 ResNet: a_{l+2} = σ(W_{l+2} a_{l+1} + b_{l+2} + a_l) (stated). Derived: with W = 0, b = 0 and ReLU the block is
    // the identity on a_l ≥ 0 (and relu(a_l) otherwise); with W a centred delta and b = 1 it is relu(a_{l+1} + 1 + a_l).
    [Fact]
    public void F15_ResidualConnection_IsIdentityWhenWeightsAndBiasAreZero()
    {
        var aL = Image(Matrix(4, 4, (i, j) => i * 4 + j));
        var aL1 = Image(Matrix(4, 4, (i, j) => (i * 5 + j * 3) % 7 - 3.0));
        Tensor Block(Tensor a, Tensor w, double b) =>
            F.Relu(F.Conv2d(aL1, w, Tensor.FromArray([b], [1]), padding: Padding.Same) + a);

        Equal(Plane(aL), Block(aL, Filled([1, 1, 3, 3], 0), 0), tolerance: 0);
        var negative = Image(Matrix(4, 4, (i, j) => i - j));
        Equal(Matrix(4, 4, (i, j) => Math.Max(i - j, 0)), Block(negative, Filled([1, 1, 3, 3], 0), 0), tolerance: 0);

        var delta = Image(new double[,] { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } });
        var a1 = Plane(aL1);
        Equal(Matrix(4, 4, (i, j) => Math.Max(a1[i, j] + 1 + i * 4 + j, 0)), Block(aL, delta, 1), tolerance: 0);
    }
}

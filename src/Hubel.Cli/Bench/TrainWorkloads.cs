using Hubel.Models;
using Hubel.Optim;

namespace Hubel.Cli.Bench;

/// <summary>The two Fashion-MNIST training workloads with train_bench.py's exact settings.</summary>
internal static class TrainWorkloads
{
    public const string LeNet = "lenet-train", Nielsen = "nielsen-train";

    /// <summary>LeNet-5, batch 64, SGD lr 0.01 momentum 0.9.</summary>
    public static readonly FashionMnistTraining.Recipe LeNetRecipe = new(LeNet, "lenet", 64,
        rng => new LeNet5(rng: rng), m => new Sgd(m.Parameters(), lr: 0.01, momentum: 0.9));

    /// <summary>Nielsen's network3, batch 10, lr 0.03, L2 λ = 0.1 scaled by 1/(number of training batches) = 0.1/(60000/10).</summary>
    public static readonly FashionMnistTraining.Recipe NielsenRecipe = new(Nielsen, "nielsen", 10,
        rng => new Network3(rng: rng), m => new Sgd(m.Parameters(), lr: 0.03, weightDecay: 0.1 / (60000.0 / 10)));
}

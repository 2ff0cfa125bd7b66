using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Builds a model by the name used on the command line and in saved files.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names { get; } = ["lenet5", "network3", "resnet20", "resnet32", "resnet56"];

    public static Module Create(string name, int numClasses = 10, int inChannels = 1, Rng? rng = null) =>
        name.ToLowerInvariant() switch
        {
            "lenet5" or "lenet" or "lenet-5" => new LeNet5(numClasses, inChannels, rng),
            "network3" or "nielsen" => new Network3(numClasses, inChannels, rng),
            "resnet20" => new ResNetCifar(20, numClasses, inChannels, rng),
            "resnet32" => new ResNetCifar(32, numClasses, inChannels, rng),
            "resnet56" => new ResNetCifar(56, numClasses, inChannels, rng),
            _ => throw new ArgumentException($"unknown model '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
        };
}

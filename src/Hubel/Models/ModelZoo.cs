using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>Builds a model by the name used on the command line and in saved files.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names { get; } = ["lenet5"];

    public static Module Create(string name, int numClasses = 10, int inChannels = 1, Rng? rng = null) =>
        name.ToLowerInvariant() switch
        {
            "lenet5" or "lenet" or "lenet-5" => new LeNet5(numClasses, inChannels, rng),
            _ => throw new ArgumentException($"unknown model '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
        };
}

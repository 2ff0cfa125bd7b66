// Inspect a model's receptive fields: the notes' RF_i = (RF_{i+1} - 1)·s_i + K_i, layer by layer,
// for LeNet-5 and for a dilated stack with the HDC rates [1, 2, 5].
// Run from the repository root:  dotnet run samples/receptive-fields.cs
#:project ../src/Hubel/Hubel.csproj

using Hubel.Analysis;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

Print("LeNet-5", ModelSummary.Of(new LeNet5(rng: new Rng(0)), [1, 28, 28]));
var dilated = new Sequential(
    new Conv2d(1, 4, 3, dilation: 1, rng: new Rng(0)),
    new Conv2d(4, 4, 3, dilation: 2, rng: new Rng(0)),
    new Conv2d(4, 4, 3, dilation: 5, rng: new Rng(0)));
Print("3x3 convolutions with dilation 1, 2, 5", ModelSummary.Of(dilated, [1, 64, 64]));
Console.WriteLine($"backward formula over LeNet's conv/pool layers: RF = {ConvArithmetic.ReceptiveField([(5, 1), (2, 2), (5, 1), (2, 2)])}");

static void Print(string title, ModelSummary summary)
{
    Console.WriteLine(title);
    foreach (var l in summary.Layers)
        Console.WriteLine($"  {l.Name,-6} {l.Type,-10} out [{string.Join(",", l.OutputShape)}]  RF {l.ReceptiveField,3}  stride {l.Stride}");
}

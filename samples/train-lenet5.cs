// Train LeNet-5 on the Fashion-MNIST subset shipped with Hubel and report test accuracy.
// Run from the repository root:  dotnet run samples/train-lenet5.cs -- [EPOCHS]
#:project ../src/Hubel/Hubel.csproj

using Hubel.Data;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Training;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 2;
var (train, test) = FashionMnist.LoadShipped();
Init.ManualSeed(0);
var model = new LeNet5();
var trainer = new Trainer(model, new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9));
var trainBatches = new BatchLoader(train, batchSize: 64, shuffle: true, rng: new Rng(1));
var testBatches = new BatchLoader(test, batchSize: 1000, shuffle: false);
for (int epoch = 1; epoch <= epochs; epoch++)
{
    var r = trainer.RunEpoch(epoch, trainBatches, testBatches);
    Console.WriteLine($"epoch {epoch}: train loss {r.TrainLoss:F4}, test accuracy {r.TestAccuracy:P2}, {r.ImagesPerSecond:N0} images/s");
}

using System.CommandLine;
using Hubel.Cli;
using Hubel.Cli.Commands;

// hubel: train, inspect and run Hubel CNNs from the command line.
// Exit codes: 0 success, 1 runtime error (bad file, diverged training), 2 usage error.
var root = new RootCommand("Hubel: convolutional neural networks for .NET. Train LeNet-5 on the shipped Fashion-MNIST subset with `hubel train`.")
{
    TrainCommand.Create(),
    OpsCommand.Create(),
    FiltersCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    SummaryCommand.Create(),
    VisualizeCommand.Create(),
};
return CliRunner.Run(root, args);

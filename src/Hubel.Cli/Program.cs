using System.CommandLine;
using Hubel.Cli;
using Hubel.Cli.Commands;

// hubel: train, inspect and run Hubel CNNs from the command line.
// Exit codes: 0 success, 1 runtime error (bad file, diverged training), 2 usage error.
var root = new RootCommand("hubel: convolutional neural networks for .NET. Start with `hubel train` (LeNet-5 on the shipped Fashion-MNIST subset).")
{
    TrainCommand.Create(),
    OpsCommand.Create(),
    FiltersCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    SummaryCommand.Create(),
    VisualizeCommand.Create(),
    DeviceCommand.Create(),
    ExportCommand.Create(),
    ImportCommand.Create(),
    BenchCommand.Create(),
    PlotCommand.Create(),
};
RootHelp.Install(root);
return CliRunner.Run(root, args);

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Hubel.Cli;

/// <summary>`hubel --help` lists each command with the first line of its description; the full descriptions (with
/// examples) stay for `hubel COMMAND --help`, which keeps System.CommandLine's own layout.</summary>
internal sealed class RootHelp(SynchronousCommandLineAction defaultHelp) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.CommandResult.Command is not RootCommand root) return defaultHelp.Invoke(parseResult);
        Console.WriteLine(root.Description);
        Console.WriteLine();
        Console.WriteLine("Usage: hubel <command> [options]");
        Console.WriteLine();
        Console.WriteLine("Commands:");
        int width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (var c in root.Subcommands)
            Console.WriteLine($"  {c.Name.PadRight(width)}{(Summaries.TryGetValue(c.Name, out var s) ? s : c.Name)}");
        Console.WriteLine();
        Console.WriteLine("Options:");
        Console.WriteLine("  -h, --help    Show help; 'hubel <command> --help' shows a command's options and examples.");
        Console.WriteLine("  --version     Show the version.");
        Console.WriteLine();
        Console.WriteLine("Exit codes: 0 success, 1 runtime error (missing or corrupt file, diverged training), 2 usage error.");
        return CliRunner.Ok;
    }

    private static readonly Dictionary<string, string> Summaries = new()
    {
        ["train"] = "Train a model (LeNet-5 on the shipped data by default); --plot, --resume, --json.",
        ["eval"] = "Accuracy, per-class precision/recall/F1 and the confusion matrix of a saved model; --tta flip|ten-crop.",
        ["plot"] = "Loss and accuracy curves of a 'train --json' log as a PNG.",
        ["predict"] = "Classify images of any size and colour with a saved model; top-k classes.",
        ["summary"] = "Per-layer output shapes, parameters, MACs, receptive fields and strides.",
        ["visualize"] = "Feature maps, first-layer filters and the conv-ReLU-pool walk-through as PNGs.",
        ["filters"] = "The notes' classic kernels (Sobel, sharpen, blur, emboss, ...) applied to an image.",
        ["ops"] = "The op registry: every op and what proves it.",
        ["export"] = "Write a saved model as ONNX (opset 13) or as a PyTorch-named safetensors state dict.",
        ["import"] = "Turn an ONNX model into a Hubel model file for eval, predict and summary.",
        ["bench"] = "Hubel against PyTorch/TorchSharp on the peers' workloads (gemm, conv, training, inference), with ratios.",
    };

    /// <summary>Installs this help on the root command's (recursive) help option.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
            if (option is HelpOption help && help.Action is SynchronousCommandLineAction current)
                help.Action = new RootHelp(current);
    }
}

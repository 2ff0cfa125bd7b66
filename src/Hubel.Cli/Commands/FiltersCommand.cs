using System.CommandLine;
using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Cli.Commands;

/// <summary>`hubel filters IMAGE --out DIR`: the notes' classic kernels applied to the user's own picture.</summary>
internal static class FiltersCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("IMAGE") { Description = "A PNG, JPEG, BMP, GIF or TGA image of any size, grey or colour." };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs (created if missing).", DefaultValueFactory = _ => "filters" };
        var kernels = new Option<string?>("--kernels") { Description = $"Comma-separated subset of: {string.Join(", ", ClassicKernels.All.Select(k => k.Name))}. Default: all." };
        var command = new Command("filters", """
            Apply the classic image kernels (identity, edge detectors, sharpen, blurs, Sobel x/y, emboss, ...) to an
            image: one PNG per kernel plus a labelled contact sheet, contact-sheet.png.

            Examples:
              hubel filters photo.jpg --out filters
              hubel filters photo.jpg --kernels sobel-x,sobel-y,emboss
            """) { image, output, kernels };
        command.SetAction(r => Run(r.GetValue(image)!, r.GetValue(output)!, r.GetValue(kernels)));
        return command;
    }

    private static int Run(string imagePath, string outDir, string? kernelList)
    {
        var chosen = kernelList is null
            ? ClassicKernels.All
            : kernelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Lookup).ToList();
        var picture = ImageFile.Load(imagePath);
        Directory.CreateDirectory(outDir);
        var tiles = new List<(string, Tensor)> { ("original", picture) };
        foreach (var kernel in chosen)
        {
            var filtered = KernelGallery.Apply(picture, kernel);
            ImageFile.SavePng(Path.Combine(outDir, kernel.Name + ".png"), filtered);
            tiles.Add((kernel.Name, filtered));
        }
        var sheet = ContactSheet.Compose(tiles, columns: 4, tileSize: 200, title: "Hubel: classic kernels");
        string sheetPath = Path.Combine(outDir, "contact-sheet.png");
        ImageFile.SavePng(sheetPath, sheet);
        Console.WriteLine($"Wrote {chosen.Count} filtered images and {sheetPath} ({picture.Size(2)}x{picture.Size(1)}, {picture.Size(0)} channel(s)).");
        return CliRunner.Ok;
    }

    private static NamedKernel Lookup(string name)
    {
        try { return ClassicKernels.Get(name); }
        catch (ArgumentException e) { throw new UsageException($"--kernels: {e.Message.Split(" (Parameter")[0]}"); }
    }
}

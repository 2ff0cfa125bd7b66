// Edge detection with the Sobel kernel, as the notes do it: a 3x3 convolution, and the same result from the
// separable pair [1,2,1]ᵀ then [-1,0,1] (6 weights instead of 9).
// Run from the repository root:  dotnet run samples/sobel-edges.cs -- [IMAGE|-] [OUT.png]   (- : the shipped boot)
#:project ../src/Hubel/Hubel.csproj

using Hubel.Data;
using Hubel.Imaging;
using Hubel.Ops;
using Hubel.Tensors;

Tensor picture;
if (args.Length > 0 && args[0] is { Length: > 0 } path && path != "-") picture = ImageFile.Load(path);
else
{
    // No image given: the first shipped Fashion-MNIST test image (an ankle boot).
    var (_, test) = FashionMnist.LoadShipped();
    picture = Tensor.FromArray(test.Pixels.AsSpan(0, 28 * 28).ToArray().Select(b => b / 255f).ToArray(), [1, 28, 28]);
}
var grey = picture.Size(0) == 1 ? picture : picture.Slice(0, 0, 1);
var x = grey.Unsqueeze(0);                                                      // [1, 1, H, W]

var sobel = Tensor.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }).Reshape(1, 1, 3, 3);
var column = Tensor.FromArray(new float[] { 1, 2, 1 }, [1, 1, 3, 1]);
var row = Tensor.FromArray(new float[] { -1, 0, 1 }, [1, 1, 1, 3]);

var full = F.Conv2d(x, sobel, padding: 1);
var separable = F.Conv2d(F.Conv2d(x, column, padding: (1, 0)), row, padding: (0, 1));
double maxDiff = full.ToFloatArray().Zip(separable.ToFloatArray(), (a, b) => Math.Abs(a - b)).Max();
Console.WriteLine($"3x3 Sobel vs separable 3x1 + 1x3: max difference {maxDiff:G3} over {full.Numel} pixels");

string output = args.Length > 1 ? args[1] : "sobel-edges.png";
ImageFile.SavePng(output, KernelGallery.Apply(grey, ClassicKernels.Get("sobel-x")));
Console.WriteLine($"wrote {output}");

using Hubel.Imaging;

namespace Hubel.Tests.Cli;

public class FiltersCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-filters-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_one_png_per_kernel_and_a_contact_sheet()
    {
        var input = Path.Combine(_dir, "in.png");
        ImageFile.SavePng(input, Hubel.Tests.Imaging.ImagingTests.TestPicture());
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CliProcess.Run("filters", input, "--out", outDir);
        Assert.True(code == 0, stderr);
        foreach (var k in ClassicKernels.All) Assert.True(File.Exists(Path.Combine(outDir, k.Name + ".png")), k.Name);
        var sheet = ImageFile.Load(Path.Combine(outDir, "contact-sheet.png"));
        Assert.True(sheet.Size(2) > 400);
        Assert.Contains("contact-sheet.png", stdout);
    }

    [Fact]
    public void Unknown_kernel_is_a_usage_error_and_a_missing_image_a_runtime_error()
    {
        var input = Path.Combine(_dir, "in.png");
        ImageFile.SavePng(input, Hubel.Tests.Imaging.ImagingTests.TestPicture());
        var (code, _, stderr) = CliProcess.Run("filters", input, "--kernels", "sobel-x,blurry", "--out", _dir);
        Assert.Equal(2, code);
        Assert.Contains("blurry", stderr);
        (code, _, stderr) = CliProcess.Run("filters", Path.Combine(_dir, "missing.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("missing.jpg", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}

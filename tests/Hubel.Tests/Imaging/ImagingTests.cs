using Hubel.Imaging;
using Hubel.Tensors;

namespace Hubel.Tests.Imaging;

public class ImagingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-img-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 3-channel 24x32 picture: a bright square on a gradient, so edges are known.</summary>
    internal static Tensor TestPicture()
    {
        int h = 24, w = 32;
        var v = new float[3 * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inSquare = x >= 10 && x < 20 && y >= 6 && y < 16;
                v[y * w + x] = inSquare ? 1f : 0.2f;
                v[h * w + y * w + x] = x / (float)(w - 1);
                v[2 * h * w + y * w + x] = 0.5f;
            }
        return Tensor.FromArray(v, [3, h, w]);
    }

    [Fact]
    public void Png_round_trip_keeps_values_to_8_bits()
    {
        var path = Path.Combine(_dir, "p.png");
        var picture = TestPicture();
        ImageFile.SavePng(path, picture);
        var back = ImageFile.Load(path);
        Assert.Equal(picture.Shape.ToArray(), back.Shape.ToArray());
        var a = picture.ToFloatArray();
        var b = back.ToFloatArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 0.5f / 255 + 1e-6f, $"pixel {i}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void One_channel_tensors_save_as_grey_rgb_and_bad_shapes_are_rejected()
    {
        var path = Path.Combine(_dir, "g.png");
        ImageFile.SavePng(path, TestPicture().Slice(0, 0, 1));   // written as RGB with equal channels
        var back = ImageFile.Load(path);
        Assert.Equal(3, back.Size(0));
        Assert.Equal(back[0, 7, 12], back[1, 7, 12]);
        Assert.Throws<ArgumentException>(() => ImageFile.SavePng(path, Tensor.Zeros([2, 4, 4])));
    }

    [Fact]
    public void Missing_and_corrupt_files_are_clear_errors()
    {
        Assert.Throws<FileNotFoundException>(() => ImageFile.Load(Path.Combine(_dir, "none.png")));
        var bad = Path.Combine(_dir, "bad.png");
        File.WriteAllBytes(bad, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(bad));
        Assert.Contains("bad.png", e.Message);
    }

    [Fact]
    public void Identity_kernel_returns_the_image_and_blur_keeps_flat_regions()
    {
        var picture = TestPicture();
        Assert.Equal(picture.ToFloatArray(), KernelGallery.Apply(picture, ClassicKernels.Get("identity")).ToFloatArray());
        var blurred = KernelGallery.Apply(picture, ClassicKernels.Get("box-blur"));
        Assert.Equal(0.5, blurred[2, 12, 16], 5);        // blue channel is flat
        Assert.Equal(1.0, blurred[0, 10, 14], 5);        // inside the square, away from its border
    }

    [Fact]
    public void Sobel_x_responds_only_at_vertical_edges()
    {
        var grey = TestPicture().Slice(0, 0, 1);
        var edges = KernelGallery.Apply(grey, ClassicKernels.Get("sobel-x"));
        Assert.Equal(0.0, edges[0, 10, 5], 6);           // flat background
        Assert.Equal(0.0, edges[0, 10, 15], 6);          // flat inside the square
        Assert.True(edges[0, 10, 10] > 0.9);             // the square's left edge
        Assert.True(edges[0, 10, 19] > 0.9);             // its right edge
        Assert.Equal(0.0, edges[0, 16, 15], 6);          // horizontal edge: no x-gradient
    }

    [Fact]
    public void Sobel_is_the_outer_product_of_1_2_1_and_minus1_0_1()
    {
        // Notes 000 (spatially separable convolution): Sobel = [1,2,1]ᵀ x [1,0,-1] (up to sign).
        var k = ClassicKernels.Get("sobel-x").Weights;
        float[] col = [1, 2, 1], row = [-1, 0, 1];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) Assert.Equal(col[i] * row[j], k[i, j]);
        Assert.Equal(14, ClassicKernels.All.Count);
        Assert.Throws<ArgumentException>(() => ClassicKernels.Get("nope"));
    }

    [Fact]
    public void Contact_sheet_lays_out_labelled_tiles()
    {
        var picture = TestPicture();
        var sheet = ContactSheet.Compose([("a", picture), ("b", picture), ("c", picture)], columns: 2, tileSize: 64, title: "t");
        Assert.Equal(3, sheet.Size(0));
        Assert.True(sheet.Size(2) >= 2 * 64);
        var v = sheet.ToFloatArray();
        Assert.Contains(v, x => x < 0.2f);   // label ink
        Assert.Contains(v, x => x == 1f);    // background
    }
}

using Hubel.Serialization;
using Hubel.Tensors;
using StbImageSharp;
using StbImageWriteSharp;

namespace Hubel.Imaging;

/// <summary>Reads PNG, JPEG, BMP, GIF, TGA, PSD and HDR images (StbImageSharp) into float tensors
/// [C, H, W] with values in [0, 1], and writes tensors back as PNG (StbImageWriteSharp), atomically.</summary>
public static class ImageFile
{
    /// <summary>The largest image read, in pixels (4096 x 4096): far beyond what a CNN here consumes, and small enough
    /// that a hostile header cannot make a decode take gigabytes.</summary>
    public const long MaxPixels = 1L << 24;

    /// <summary>No supported format packs more pixels than this into one byte (deflate expands at most 1032:1 and a
    /// PNG pixel takes at least one bit; a JPEG 8x8 block at least a few bits), so a header that claims more is lying.</summary>
    private const long PixelsPerByte = 8 * 1032;

    private static long PixelLimit(long fileBytes) => Math.Min(MaxPixels, Math.Max(1L << 16, fileBytes * PixelsPerByte));

    /// <summary>Loads an image as [1, H, W] (grey) or [3, H, W] (colour; alpha is dropped).</summary>
    /// <exception cref="FileNotFoundException">the file does not exist.</exception>
    /// <exception cref="InvalidDataException">the file is not an image stb can decode (names the file).</exception>
    public static Tensor Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"image '{path}' does not exist", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes an image file held in memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">the bytes are not an image stb can decode.</exception>
    public static Tensor Decode(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        string path = source;
        ImageResult image;
        try
        {
            if (PngChunks.Problem(bytes) is { } problem) throw new InvalidDataException($"'{path}' is not a readable image: {problem}");
            using var stream = new BoundedReadStream(bytes);
            // Check the size the header claims before decoding: a 100-byte file must not make us allocate and fill
            // hundreds of megabytes (found by fuzzing: a BMP header claiming 8,388,612 x 3 pixels took 9 s).
            var info = ImageInfo.FromStream(stream) ?? throw new InvalidDataException($"'{path}' is not a readable image (unknown format or corrupt header)");
            long limit = PixelLimit(bytes.Length);
            if (info.Width < 1 || info.Height < 1 || (long)info.Width * info.Height > limit)
                throw new InvalidDataException($"'{path}' claims {info.Width}x{info.Height} pixels; each side must be at least 1 and the total at most {limit:N0} " +
                                               $"(4096x4096, and no more than {PixelsPerByte:N0} per byte of a {bytes.Length}-byte file)");
            stream.Position = 0;
            image = ImageResult.FromStream(stream, StbImageSharp.ColorComponents.RedGreenBlueAlpha);
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The decoder is third-party code fed untrusted bytes; whatever it throws means "not an image we can read".
            throw new InvalidDataException($"'{path}' is not a readable image ({e.Message})", e);
        }
        if (image is null || image.Data is null) throw new InvalidDataException($"'{path}' is not a readable image");
        if ((long)image.Width * image.Height > MaxPixels)
            throw new InvalidDataException($"'{path}' is {image.Width}x{image.Height}; at most {MaxPixels:N0} pixels are supported");
        int h = image.Height, w = image.Width;
        if (h < 1 || w < 1) throw new InvalidDataException($"'{path}' has no pixels");
        if (image.Data.Length < 4L * h * w) throw new InvalidDataException($"'{path}' decoded to fewer bytes than {w}x{h} RGBA pixels");
        bool grey = image.SourceComp is StbImageSharp.ColorComponents.Grey or StbImageSharp.ColorComponents.GreyAlpha;
        int channels = grey ? 1 : 3;
        var data = new float[checked(channels * h * w)];
        var px = image.Data;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < h * w; i++) data[c * h * w + i] = px[i * 4 + c] / 255f;
        return Tensor.FromArray(data, [channels, h, w]);
    }

    /// <summary>Writes [C, H, W] (C = 1 or 3) or [H, W] with values in [0, 1] (clamped) as an 8-bit PNG.</summary>
    public static void SavePng(string path, Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var t = image.Rank == 2 ? image.Reshape(1, image.Size(0), image.Size(1)) : image;
        if (t.Rank != 3 || (t.Size(0) != 1 && t.Size(0) != 3))
            throw new ArgumentException($"image must be [H, W], [1, H, W] or [3, H, W]; got {ShapeMath.Format(image.Shape)}", nameof(image));
        int c = t.Size(0), h = t.Size(1), w = t.Size(2);
        var values = t.ToFloatArray();
        var rgb = new byte[checked(h * w * 3)];
        for (int i = 0; i < h * w; i++)
            for (int k = 0; k < 3; k++)
            {
                float v = values[(c == 1 ? 0 : k) * h * w + i];
                rgb[i * 3 + k] = (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
            }
        AtomicFile.Write(path, stream => new ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream));
    }
}

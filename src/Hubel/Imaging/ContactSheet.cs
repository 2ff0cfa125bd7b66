using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>Lays labelled images out on a grid (white background, dark labels under each tile) as one
/// RGB tensor [3, H, W], for the pictures the CLI writes.</summary>
public static class ContactSheet
{
    /// <param name="tiles">images [C, H, W] (C = 1 or 3), each resized to fit a tile by nearest neighbour.</param>
    /// <param name="tileSize">longest side of a tile in pixels.</param>
    public static Tensor Compose(IReadOnlyList<(string Label, Tensor Image)> tiles, int columns = 4, int tileSize = 160, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("nothing to lay out", nameof(tiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 8);
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        const int pad = 8, scale = 2;
        int labelHeight = BitmapFont.GlyphHeight * scale + 6;
        int titleHeight = title is null ? 0 : BitmapFont.GlyphHeight * 3 + 12;
        // Tiles keep their aspect ratio; a row is as tall as its tallest tile, with the label right under it.
        int imageHeight = tiles.Max(t => FitHeight(t.Image, tileSize));
        int cellW = tileSize + pad, cellH = imageHeight + labelHeight + pad;
        int width = Math.Max(columns * cellW + pad, title is null ? 0 : BitmapFont.MeasureWidth(title, 3) + 2 * pad);
        int height = titleHeight + rows * cellH + pad;
        var canvas = new float[3 * height * width];
        Array.Fill(canvas, 1f);
        if (title is not null) BitmapFont.Draw(canvas, height, width, title, pad, pad, 3, (0.1f, 0.1f, 0.1f));
        for (int i = 0; i < tiles.Count; i++)
        {
            var (label, image) = tiles[i];
            if (image.Rank != 3) throw new ArgumentException($"tile '{label}' must be [C, H, W]", nameof(tiles));
            int x0 = pad + i % columns * cellW, y0 = titleHeight + pad + i / columns * cellH;
            Blit(canvas, height, width, image, x0, y0, tileSize);
            string text = label;
            while (text.Length > 1 && BitmapFont.MeasureWidth(text, scale) > tileSize) text = text[..^1];
            BitmapFont.Draw(canvas, height, width, text, x0, y0 + imageHeight + 4, scale, (0.1f, 0.1f, 0.1f));
        }
        return Tensor.FromArray(canvas, [3, height, width]);
    }

    private static int FitHeight(Tensor image, int tileSize)
    {
        if (image.Rank != 3) return tileSize;
        int h = image.Size(1), w = image.Size(2);
        return Math.Max(1, (int)(h * ((double)tileSize / Math.Max(h, w))));
    }

    private static void Blit(float[] canvas, int height, int width, Tensor image, int x0, int y0, int tileSize)
    {
        int c = image.Size(0), h = image.Size(1), w = image.Size(2);
        double s = (double)tileSize / Math.Max(h, w);
        int th = Math.Max(1, (int)(h * s)), tw = Math.Max(1, (int)(w * s));
        var v = image.ToFloatArray();
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
            {
                int sy = Math.Min(h - 1, (int)(y / s)), sx = Math.Min(w - 1, (int)(x / s));
                for (int k = 0; k < 3; k++)
                    canvas[k * height * width + (y0 + y) * width + x0 + x] = v[(c == 1 ? 0 : k) * h * w + sy * w + sx];
            }
    }
}

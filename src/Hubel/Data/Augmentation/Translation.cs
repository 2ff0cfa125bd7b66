namespace Hubel.Data.Augmentation;

/// <summary>Moves an image's content by whole pixels, filling what is uncovered with the background.</summary>
internal static class Translation
{
    /// <summary>After the call, image[c, y, x] = before[c, y - dy, x - dx], or background[c] where that falls outside.
    /// Positive dy moves content down, positive dx moves it right.</summary>
    public static void Shift(Span<float> image, ImageBatch batch, int dy, int dx)
    {
        if (dy == 0 && dx == 0) return;
        int h = batch.Height, w = batch.Width, plane = batch.Plane;
        var source = batch.Scratch();
        image.CopyTo(source);
        // Rows and columns of the output that receive content; everything else is background.
        int y0 = Math.Clamp(dy, 0, h), y1 = Math.Clamp(h + dy, 0, h);
        int x0 = Math.Clamp(dx, 0, w), x1 = Math.Clamp(w + dx, 0, w);
        for (int c = 0; c < batch.Channels; c++)
        {
            var dst = image.Slice(c * plane, plane);
            var src = source.Slice(c * plane, plane);
            float fill = batch.Background[c];
            if (y0 >= y1 || x0 >= x1) { dst.Fill(fill); continue; }
            dst[..(y0 * w)].Fill(fill);
            dst[(y1 * w)..].Fill(fill);
            for (int y = y0; y < y1; y++)
            {
                var row = dst.Slice(y * w, w);
                row[..x0].Fill(fill);
                row[x1..].Fill(fill);
                src.Slice((y - dy) * w + (x0 - dx), x1 - x0).CopyTo(row[x0..x1]);
            }
        }
    }
}

using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>Draws a confusion matrix as a heat map (rows: true class, columns: predicted; each row shaded by
/// its share of that class), with class indices on the axes and the class names listed as a legend.</summary>
public static class ConfusionMatrixPlot
{
    public static Tensor Render(int[,] counts, IReadOnlyList<string> classNames, string title)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        int k = counts.GetLength(0);
        if (k != counts.GetLength(1) || k != classNames.Count || k == 0)
            throw new ArgumentException("confusion matrix must be square with one name per class", nameof(counts));
        const int cell = 40, margin = 60, pad = 12;
        int legendWidth = classNames.Max(n => BitmapFont.MeasureWidth($"{k - 1}: {n}", 2)) + 2 * pad;
        int gridTop = 84;
        int width = Math.Max(margin + k * cell + pad + legendWidth, BitmapFont.MeasureWidth(title, 3) + 2 * pad), height = Math.Max(gridTop + k * cell + 50, gridTop + k * 20 + pad);
        var canvas = new float[3 * height * width];
        Array.Fill(canvas, 1f);
        BitmapFont.Draw(canvas, height, width, title, pad, 16, 3, (0.1f, 0.1f, 0.1f));
        for (int i = 0; i < k; i++)
        {
            long rowTotal = 0;
            for (int j = 0; j < k; j++) rowTotal += counts[i, j];
            for (int j = 0; j < k; j++)
            {
                float share = rowTotal == 0 ? 0 : (float)counts[i, j] / rowTotal;
                // white -> deep blue as the share grows
                var colour = (1 - 0.85f * share, 1 - 0.6f * share, 1 - 0.2f * share);
                Fill(canvas, height, width, margin + j * cell, gridTop + i * cell, cell - 1, cell - 1, colour);
                string text = counts[i, j].ToString();
                int scale = BitmapFont.MeasureWidth(text, 2) <= cell - 4 ? 2 : 1;
                var ink = share > 0.5f ? (1f, 1f, 1f) : (0.1f, 0.1f, 0.1f);
                BitmapFont.Draw(canvas, height, width, text, margin + j * cell + (cell - BitmapFont.MeasureWidth(text, scale)) / 2,
                    gridTop + i * cell + (cell - BitmapFont.GlyphHeight * scale) / 2, scale, ink);
            }
            BitmapFont.Draw(canvas, height, width, i.ToString(), margin - 20, gridTop + i * cell + cell / 2 - 7, 2, (0.1f, 0.1f, 0.1f));
            BitmapFont.Draw(canvas, height, width, i.ToString(), margin + i * cell + cell / 2 - 5, gridTop + k * cell + 6, 2, (0.1f, 0.1f, 0.1f));
            BitmapFont.Draw(canvas, height, width, $"{i}: {classNames[i]}", margin + k * cell + pad, gridTop + i * 20, 2, (0.1f, 0.1f, 0.1f));
        }
        BitmapFont.Draw(canvas, height, width, "PREDICTED", margin, gridTop + k * cell + 28, 2, (0.3f, 0.3f, 0.3f));
        BitmapFont.Draw(canvas, height, width, "TRUE", 4, gridTop - 22, 2, (0.3f, 0.3f, 0.3f));
        return Tensor.FromArray(canvas, [3, height, width]);
    }

    private static void Fill(float[] canvas, int height, int width, int x0, int y0, int w, int h, (float R, float G, float B) c)
    {
        for (int y = y0; y < Math.Min(height, y0 + h); y++)
            for (int x = x0; x < Math.Min(width, x0 + w); x++)
            {
                canvas[y * width + x] = c.R;
                canvas[height * width + y * width + x] = c.G;
                canvas[2 * height * width + y * width + x] = c.B;
            }
    }
}

using System.Globalization;
using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>A named series of (x, y) points in one colour.</summary>
public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, (float R, float G, float B) Colour);

/// <summary>Draws line charts (axes, ticks with values, a legend) into RGB tensors, for training curves.
/// Several charts can be placed side by side with <see cref="SideBySide"/>.</summary>
public static class LineChart
{
    public static readonly (float, float, float) Blue = (0.12f, 0.47f, 0.71f), Orange = (1f, 0.5f, 0.05f);

    public static Tensor Render(string title, IReadOnlyList<Series> series, string xLabel, int width = 480, int height = 320)
    {
        ArgumentNullException.ThrowIfNull(series);
        var all = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToList();
        if (all.Count == 0) throw new ArgumentException("no finite points to plot", nameof(series));
        var canvas = new float[3 * height * width];
        Array.Fill(canvas, 1f);
        const int left = 70, right = 16, top = 44, bottom = 44;
        int plotW = width - left - right, plotH = height - top - bottom;
        double x0 = all.Min(p => p.X), x1 = all.Max(p => p.X), y0 = all.Min(p => p.Y), y1 = all.Max(p => p.Y);
        if (x1 == x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double margin = (y1 - y0) * 0.08;
        y0 -= margin; y1 += margin;
        int Px(double x) => left + (int)Math.Round((x - x0) / (x1 - x0) * plotW);
        int Py(double y) => top + plotH - (int)Math.Round((y - y0) / (y1 - y0) * plotH);
        var ink = (0.15f, 0.15f, 0.15f);
        var grid = (0.88f, 0.88f, 0.88f);
        for (int i = 0; i <= 4; i++)
        {
            double y = y0 + (y1 - y0) * i / 4;
            Line(canvas, height, width, left, Py(y), left + plotW, Py(y), grid);
            BitmapFont.Draw(canvas, height, width, y.ToString(y1 - y0 < 0.1 ? "F3" : "F2", CultureInfo.InvariantCulture), 4, Py(y) - 3, 1, ink);
        }
        foreach (double x in Ticks(x0, x1))
        {
            Line(canvas, height, width, Px(x), top, Px(x), top + plotH, grid);
            BitmapFont.Draw(canvas, height, width, x.ToString("0.##", CultureInfo.InvariantCulture), Px(x) - 3, top + plotH + 6, 1, ink);
        }
        Line(canvas, height, width, left, top, left, top + plotH, ink);
        Line(canvas, height, width, left, top + plotH, left + plotW, top + plotH, ink);
        BitmapFont.Draw(canvas, height, width, title, left, 10, 2, ink);
        BitmapFont.Draw(canvas, height, width, xLabel, left + plotW / 2 - BitmapFont.MeasureWidth(xLabel, 1) / 2, height - 16, 1, ink);
        // The legend goes in the right-hand corner the curves end away from (top for falling loss, bottom for rising accuracy).
        double endHeight = series.Where(se => se.Points.Count > 0).Average(se => (se.Points[^1].Y - y0) / (y1 - y0));
        int legendY = endHeight > 0.5 ? top + plotH - 12 * series.Count - 6 : top + 6;
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => double.IsFinite(p.Y)).ToList();
            for (int i = 1; i < pts.Count; i++) Thick(canvas, height, width, Px(pts[i - 1].X), Py(pts[i - 1].Y), Px(pts[i].X), Py(pts[i].Y), s.Colour);
            foreach (var p in pts) Dot(canvas, height, width, Px(p.X), Py(p.Y), s.Colour);
            int lx = left + plotW - BitmapFont.MeasureWidth(s.Name, 1) - 30;
            Thick(canvas, height, width, lx, legendY + 3, lx + 18, legendY + 3, s.Colour);
            BitmapFont.Draw(canvas, height, width, s.Name, lx + 24, legendY, 1, ink);
            legendY += 12;
        }
        return Tensor.FromArray(canvas, [3, height, width]);
    }

    /// <summary>Places RGB images left to right on a white background.</summary>
    public static Tensor SideBySide(params Tensor[] images)
    {
        int height = images.Max(i => i.Size(1)), width = images.Sum(i => i.Size(2));
        var canvas = new float[3 * height * width];
        Array.Fill(canvas, 1f);
        int x0 = 0;
        foreach (var img in images)
        {
            int h = img.Size(1), w = img.Size(2);
            var v = img.ToFloatArray();
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < h; y++)
                    Array.Copy(v, c * h * w + y * w, canvas, c * height * width + y * width + x0, w);
            x0 += w;
        }
        return Tensor.FromArray(canvas, [3, height, width]);
    }

    private static IEnumerable<double> Ticks(double x0, double x1)
    {
        double step = Math.Max(1, Math.Ceiling((x1 - x0) / 8));
        for (double x = Math.Ceiling(x0); x <= x1 + 1e-9; x += step) yield return x;
    }

    private static void Set(float[] c, int h, int w, int x, int y, (float R, float G, float B) col)
    {
        if ((uint)x >= (uint)w || (uint)y >= (uint)h) return;
        c[y * w + x] = col.R; c[h * w + y * w + x] = col.G; c[2 * h * w + y * w + x] = col.B;
    }

    private static void Line(float[] c, int h, int w, int xa, int ya, int xb, int yb, (float, float, float) col)
    {
        int dx = Math.Abs(xb - xa), dy = -Math.Abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, err = dx + dy;
        while (true)
        {
            Set(c, h, w, xa, ya, col);
            if (xa == xb && ya == yb) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; xa += sx; }
            if (e2 <= dx) { err += dx; ya += sy; }
        }
    }

    private static void Thick(float[] c, int h, int w, int xa, int ya, int xb, int yb, (float, float, float) col)
    {
        for (int o = -1; o <= 1; o++) { Line(c, h, w, xa, ya + o, xb, yb + o, col); Line(c, h, w, xa + o, ya, xb + o, yb, col); }
    }

    private static void Dot(float[] c, int h, int w, int x, int y, (float, float, float) col)
    {
        for (int dy = -3; dy <= 3; dy++) for (int dx = -3; dx <= 3; dx++) if (dx * dx + dy * dy <= 9) Set(c, h, w, x + dx, y + dy, col);
    }
}

using System.Globalization;
using Hubel.Tensors;

namespace Hubel.Tests.Notes;

/// <summary>Helpers for the lecture-note examples: matrices in, float64 [1, 1, H, W] tensors out, and a
/// matrix assertion that prints both matrices on failure. float64 keeps the notes' integer arithmetic exact.
/// Catalogue: docs/notes-examples.md. Derived values: tools/notes/derive_examples.py.</summary>
internal static class NotesAssert
{
    /// <summary>A one-image, one-channel tensor [1, 1, H, W] holding <paramref name="m"/> (float64 unless told).</summary>
    public static Tensor Image(double[,] m, DType dtype = DType.Float64) =>
        Tensor.FromArray(m).Reshape(1, 1, m.GetLength(0), m.GetLength(1)).To(dtype);

    /// <summary>A 1 x N row as [1, 1, 1, N] (the notes' 1-D examples run as conv2d on a 1 x N image).</summary>
    public static Tensor Row(params double[] v) => Tensor.FromArray(v, [1, 1, 1, v.Length]);

    /// <summary>The same as <see cref="Image"/>, marked as requiring grad.</summary>
    public static Tensor Leaf(double[,] m, DType dtype = DType.Float64) => Image(m, dtype).RequireGrad();

    /// <summary>A tensor of the given shape filled with <paramref name="value"/> (float64).</summary>
    public static Tensor Filled(int[] shape, double value) => Tensor.Full(shape, value, DType.Float64);

    /// <summary>An H x W matrix whose entry (i, j) is f(i, j).</summary>
    public static double[,] Matrix(int h, int w, Func<int, int, double> f)
    {
        var m = new double[h, w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) m[i, j] = f(i, j);
        return m;
    }

    /// <summary>The kernel turned by 180° (the mathematical convolution flips its kernel: trueConv(X, K) = X ⋆ rot180(K)).</summary>
    public static double[,] Rot180(double[,] k)
    {
        int h = k.GetLength(0), w = k.GetLength(1);
        return Matrix(h, w, (i, j) => k[h - 1 - i, w - 1 - j]);
    }

    /// <summary>The (n, c) plane of a rank-4 tensor (or the whole of a rank-2 one) as a matrix.</summary>
    public static double[,] Plane(Tensor t, int n = 0, int c = 0)
    {
        if (t.Rank == 2) return Matrix(t.Size(0), t.Size(1), (i, j) => t[i, j]);
        Assert.Equal(4, t.Rank);
        return Matrix(t.Size(2), t.Size(3), (i, j) => t[n, c, i, j]);
    }

    /// <summary>Asserts that plane (n, c) of <paramref name="actual"/> equals <paramref name="expected"/> in size and values.</summary>
    public static void Equal(double[,] expected, Tensor actual, int n = 0, int c = 0, double tolerance = 1e-9) =>
        Equal(expected, Plane(actual, n, c), tolerance);

    public static void Equal(double[,] expected, double[,] actual, double tolerance = 1e-9)
    {
        bool same = expected.GetLength(0) == actual.GetLength(0) && expected.GetLength(1) == actual.GetLength(1);
        for (int i = 0; same && i < expected.GetLength(0); i++)
            for (int j = 0; same && j < expected.GetLength(1); j++)
                same = Math.Abs(expected[i, j] - actual[i, j]) <= tolerance;
        Assert.True(same, $"expected\n{Format(expected)}\nactual\n{Format(actual)}");
    }

    /// <summary>Asserts a 1-D sequence of values (e.g. a row, or a whole tensor in row-major order).</summary>
    public static void Equal(double[] expected, double[] actual, double tolerance = 1e-9)
    {
        bool same = expected.Length == actual.Length;
        for (int i = 0; same && i < expected.Length; i++) same = Math.Abs(expected[i] - actual[i]) <= tolerance;
        Assert.True(same, $"expected [{string.Join(", ", expected.Select(F))}]\nactual   [{string.Join(", ", actual.Select(F))}]");
    }

    /// <summary>Asserts that every element of <paramref name="t"/> equals <paramref name="expected"/> (one assertion that
    /// reports the worst element, so it stays fast on large maps).</summary>
    public static void AllEqual(double expected, Tensor t, double tolerance = 1e-12)
    {
        var values = t.ToDoubleArray();
        int worst = 0;
        for (int i = 1; i < values.Length; i++)
            if (Math.Abs(values[i] - expected) > Math.Abs(values[worst] - expected)) worst = i;
        Assert.True(values.Length > 0 && Math.Abs(values[worst] - expected) <= tolerance,
            $"expected every element to be {F(expected)}; element {worst} is {(values.Length > 0 ? F(values[worst]) : "missing")}");
    }

    /// <summary>Asserts the shape of a tensor (always together with a value assertion in the same test).</summary>
    public static void Shape(int[] expected, Tensor t) => Assert.Equal(expected, t.Shape.ToArray());

    private static string Format(double[,] m)
    {
        var rows = new List<string>();
        for (int i = 0; i < m.GetLength(0); i++)
            rows.Add("  [" + string.Join(", ", Enumerable.Range(0, m.GetLength(1)).Select(j => F(m[i, j]))) + "]");
        return string.Join("\n", rows);
    }

    private static string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
}

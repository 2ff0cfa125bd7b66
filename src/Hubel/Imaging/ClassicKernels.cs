namespace Hubel.Imaging;

/// <summary>A named 2-D filter. Filters whose weights sum to 0 or less (edge detectors, Sobel, emboss, surround)
/// produce signed responses that are shown as magnitudes; the others are shown as they come, clamped to [0, 1].</summary>
public sealed record NamedKernel(string Name, string Description, float[,] Weights)
{
    public bool IsDerivative
    {
        get
        {
            float sum = 0;
            foreach (var w in Weights) sum += w;
            return sum < 1e-6f;
        }
    }
}

/// <summary>The classic image kernels: the notes' 3x3 table (section "卷积核作用": sharpness, vertical edge,
/// surround, Sobel y, nothing, horizontal edge, blur, Sobel x, embossing) plus the usual edge detectors and
/// Gaussian blurs of image-processing texts.</summary>
public static class ClassicKernels
{
    public static IReadOnlyList<NamedKernel> All { get; } =
    [
        new("identity", "the notes' 'nothing': 1 in the centre, the image comes back unchanged", new float[,] { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } }),
        new("edge-diagonal", "edge detection (corners of the 3x3 window)", new float[,] { { 1, 0, -1 }, { 0, 0, 0 }, { -1, 0, 1 } }),
        new("edge-cross", "edge detection (4-neighbour Laplacian)", new float[,] { { 0, -1, 0 }, { -1, 4, -1 }, { 0, -1, 0 } }),
        new("edge-all", "edge detection (8-neighbour Laplacian)", new float[,] { { -1, -1, -1 }, { -1, 8, -1 }, { -1, -1, -1 } }),
        new("vertical-edge", "the notes' vertical edge: left and right neighbours subtracted", new float[,] { { 0, 0, 0 }, { -1, 2, -1 }, { 0, 0, 0 } }),
        new("horizontal-edge", "the notes' horizontal edge: upper and lower neighbours subtracted", new float[,] { { 0, -1, 0 }, { 0, 2, 0 }, { 0, -1, 0 } }),
        new("sharpen", "the notes' sharpness: a pixel brighter than its neighbours gets brighter", new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } }),
        new("surround", "the notes' surround: strengthens the surroundings, flattens uniform regions", new float[,] { { 1, 1, 1 }, { 1, -9, 1 }, { 1, 1, 1 } }),
        new("box-blur", "the notes' blur: the mean of the 3x3 window", Box(3)),
        new("gaussian-blur-3", "Gaussian blur, 3x3 binomial weights / 16", Scale(new float[,] { { 1, 2, 1 }, { 2, 4, 2 }, { 1, 2, 1 } }, 1f / 16)),
        new("gaussian-blur-5", "Gaussian blur, 5x5 binomial weights / 256", Gaussian5()),
        new("sobel-x", "Sobel x: horizontal brightness difference, finds vertical edges ([1,2,1]ᵀ x [-1,0,1])", new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }),
        new("sobel-y", "Sobel y: vertical brightness difference, finds horizontal edges", new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } }),
        new("emboss", "the notes' embossing: a marble relief look", new float[,] { { 2, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } }),
    ];

    public static NamedKernel Get(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown kernel '{name}'; expected one of: {string.Join(", ", All.Select(k => k.Name))}", nameof(name));

    private static float[,] Box(int n)
    {
        var k = new float[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) k[i, j] = 1f / (n * n);
        return k;
    }

    private static float[,] Scale(float[,] k, float s)
    {
        var r = (float[,])k.Clone();
        for (int i = 0; i < r.GetLength(0); i++) for (int j = 0; j < r.GetLength(1); j++) r[i, j] *= s;
        return r;
    }

    private static float[,] Gaussian5()
    {
        float[] b = [1, 4, 6, 4, 1];
        var k = new float[5, 5];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) k[i, j] = b[i] * b[j] / 256f;
        return k;
    }
}

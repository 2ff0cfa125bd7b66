using Hubel.Tensors;

namespace Hubel.Ops.Registry;

// Channel shuffle, upsampling, concatenation and embedding lookup. PyTorch side: tools/golden/torch_ops/activations_norm.py
// (channel shuffle as reshape/transpose, F.interpolate, torch.cat, F.embedding).
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> LayoutOps()
    {
        yield return new OpInfo("channel_shuffle",
        [
            ShuffleSample("g2_nchw", [2, 6, 3, 3], 2),
            ShuffleSample("g3_batch1_nonsquare", [1, 6, 2, 5], 3),
            ShuffleSample("g1_identity", [2, 4, 2, 2], 1),
            ShuffleSample("g_equals_c_identity", [2, 4, 2, 2], 4),
            ShuffleSample("rank3", [3, 8, 5], 4),
        ],
        [
            Error<ArgumentOutOfRangeException>("groups 0", () => F.ChannelShuffle(T(2, 6, 3, 3), 0), "groups"),
            Error<ArgumentException>("channels not a multiple of groups", () => F.ChannelShuffle(T(2, 6, 3, 3), 4), "x"),
            Error<ArgumentException>("input rank 2", () => F.ChannelShuffle(T(2, 6), 2), "x"),
            Error<ArgumentNullException>("input null", () => F.ChannelShuffle(null!, 2), "x"),
        ])
        {
            Method = (Func<Tensor, int, Tensor>)F.ChannelShuffle,
        };

        yield return new OpInfo("upsample",
        [
            UpsampleSample("nearest_scale2", [2, 3, 3, 4], null, 2, UpsampleMode.Nearest, false),
            UpsampleSample("nearest_scale3_batch1", [1, 2, 2, 3], null, 3, UpsampleMode.Nearest, false),
            UpsampleSample("nearest_size_nonsquare", [2, 2, 3, 4], (7, 5), null, UpsampleMode.Nearest, false),
            UpsampleSample("nearest_size_downsample", [1, 2, 6, 7], (3, 4), null, UpsampleMode.Nearest, false),
            UpsampleSample("nearest_from_1x1", [2, 3, 1, 1], (2, 3), null, UpsampleMode.Nearest, false),
            UpsampleSample("bilinear_scale2", [2, 3, 3, 4], null, 2, UpsampleMode.Bilinear, false),
            UpsampleSample("bilinear_scale2_align", [2, 3, 3, 4], null, 2, UpsampleMode.Bilinear, true),
            UpsampleSample("bilinear_size_nonsquare", [1, 2, 3, 4], (5, 9), null, UpsampleMode.Bilinear, false),
            UpsampleSample("bilinear_size_nonsquare_align", [1, 2, 3, 4], (5, 9), null, UpsampleMode.Bilinear, true),
            UpsampleSample("bilinear_scale_1.5", [2, 2, 4, 4], null, 1.5, UpsampleMode.Bilinear, false),
            UpsampleSample("bilinear_downsample", [1, 2, 7, 6], (3, 4), null, UpsampleMode.Bilinear, false),
            UpsampleSample("bilinear_to_1x1_align", [1, 2, 3, 3], (1, 1), null, UpsampleMode.Bilinear, true),
            UpsampleSample("bilinear_from_1x1", [2, 1, 1, 1], (3, 2), null, UpsampleMode.Bilinear, false),
        ],
        [
            Error<ArgumentException>("neither size nor scale", () => F.Upsample(T(1, 2, 3, 3)), "size"),
            Error<ArgumentException>("both size and scale", () => F.Upsample(T(1, 2, 3, 3), 4, 2.0), "scaleFactor"),
            Error<ArgumentOutOfRangeException>("size 0", () => F.Upsample(T(1, 2, 3, 3), (0, 4)), "size"),
            Error<ArgumentOutOfRangeException>("scale 0", () => F.Upsample(T(1, 2, 3, 3), scaleFactor: 0), "scaleFactor"),
            Error<ArgumentOutOfRangeException>("scale negative", () => F.Upsample(T(1, 2, 3, 3), scaleFactor: -2), "scaleFactor"),
            Error<ArgumentOutOfRangeException>("scale NaN", () => F.Upsample(T(1, 2, 3, 3), scaleFactor: double.NaN), "scaleFactor"),
            Error<ArgumentOutOfRangeException>("scale giving an empty output", () => F.Upsample(T(1, 2, 3, 3), scaleFactor: 0.2), "scaleFactor"),
            Error<ArgumentException>("alignCorners with nearest", () => F.Upsample(T(1, 2, 3, 3), 6, alignCorners: true), "alignCorners"),
            Error<ArgumentOutOfRangeException>("undefined mode", () => F.Upsample(T(1, 2, 3, 3), 6, mode: (UpsampleMode)7), "mode"),
            Error<ArgumentException>("input rank 3", () => F.Upsample(T(2, 3, 3), 6), "input"),
            Error<ArgumentException>("empty image", () => F.Upsample(T(1, 2, 0, 3), 6), "input"),
            Error<ArgumentNullException>("input null", () => F.Upsample(null!, 6), "input"),
        ])
        {
            Method = (Func<Tensor, Size2?, double?, UpsampleMode, bool, Tensor>)F.Upsample,
        };

        yield return new OpInfo("cat",
        [
            CatSample("channels_two", [[2, 3, 2, 2], [2, 5, 2, 2]], 1),
            CatSample("channels_three_batch1", [[1, 1, 3, 2], [1, 2, 3, 2], [1, 3, 3, 2]], 1),
            CatSample("batch_dim0", [[2, 3], [4, 3]], 0),
            CatSample("last_dim_negative", [[2, 3, 2], [2, 3, 4]], -1),
            CatSample("single_tensor", [[3, 4]], 1),
            CatSample("with_empty_part", [[2, 0, 3], [2, 2, 3]], 1),
        ],
        [
            Error<ArgumentException>("no tensors", () => F.Cat([], 0), "tensors"),
            Error<ArgumentException>("null entry", () => F.Cat([T(2, 3), null!], 0), "tensors"),
            Error<ArgumentException>("ranks differ", () => F.Cat([T(2, 3), T(2, 3, 1)], 0), "tensors"),
            Error<ArgumentException>("other dimension differs", () => F.Cat([T(2, 3), T(2, 4)], 0), "tensors"),
            Error<ArgumentException>("dtypes differ", () => F.Cat([T(2, 3), T32(2, 3)], 0), "tensors"),
            Error<ArgumentException>("scalars", () => F.Cat([Tensor.Scalar(1, DType.Float64)], 0), "tensors"),
            Error<ArgumentOutOfRangeException>("dim out of range", () => F.Cat([T(2, 3), T(2, 3)], 2), "dim"),
            Error<ArgumentOutOfRangeException>("negative dim out of range", () => F.Cat([T(2, 3), T(2, 3)], -3), "dim"),
            Error<ArgumentNullException>("array null", () => F.Cat(null!, 0), "tensors"),
        ])
        {
            Method = (Func<Tensor[], int, Tensor>)F.Cat,
        };

        yield return new OpInfo("embedding",
        [
            EmbeddingSample("vector", [5, 3], [4, 0, 2], null),
            EmbeddingSample("repeated_indices", [4, 2], [1, 1, 3, 1, 0], null),
            EmbeddingSample("matrix_indices", [6, 4], [0, 5, 2, 2, 3, 1], [2, 3]),
            EmbeddingSample("one_row_table", [1, 3], [0, 0], [2, 1]),
            EmbeddingSample("no_indices", [3, 2], [], null),
        ],
        [
            Error<ArgumentOutOfRangeException>("index negative", () => F.Embedding([0, -1], T(4, 2)), "indices"),
            Error<ArgumentOutOfRangeException>("index equal to V", () => F.Embedding([0, 4], T(4, 2)), "indices"),
            Error<ArgumentException>("weight rank 1", () => F.Embedding([0], T(4)), "weight"),
            Error<ArgumentException>("shape does not hold the indices", () => F.Embedding([0, 1, 2], T(4, 2), [2, 2]), "shape"),
            Error<ArgumentException>("shape with a negative entry", () => F.Embedding([0, 1], T(4, 2), [-1, -2]), "shape"),
            Error<ArgumentNullException>("weight null", () => F.Embedding([0], null!), "weight"),
        ])
        {
            Method = (EmbeddingFn)F.Embedding,
        };
    }

    private delegate Tensor EmbeddingFn(ReadOnlySpan<int> indices, Tensor weight, int[]? shape);

    private static OpSample ShuffleSample(string name, int[] x, int groups) =>
        new($"channel_shuffle/{name}", [x], Attrs(("groups", groups)), t => F.ChannelShuffle(t[0], groups)) { BatchedInputs = [0] };

    private static OpSample UpsampleSample(string name, int[] x, Size2? size, double? scale, UpsampleMode mode, bool alignCorners)
    {
        var attrs = Attrs(("mode", mode == UpsampleMode.Nearest ? "nearest" : "bilinear"), ("align_corners", alignCorners));
        if (size is { } s) attrs["size"] = Pair(s);
        if (scale is double f) attrs["scale_factor"] = f;
        return new OpSample($"upsample/{name}", [x], attrs, t => F.Upsample(t[0], size, scale, mode, alignCorners)) { BatchedInputs = [0] };
    }

    private static OpSample CatSample(string name, int[][] shapes, int dim) =>
        new($"cat/{name}", shapes, Attrs(("dim", dim)), t => F.Cat([.. t], dim))
        {
            BatchedInputs = dim == 0 || shapes[0].Length < 2 ? null : Enumerable.Range(0, shapes.Length).ToArray(),
        };

    private static OpSample EmbeddingSample(string name, int[] weight, int[] indices, int[]? shape) =>
        new($"embedding/{name}", [weight], Attrs(("shape", shape ?? [indices.Length])), t => F.Embedding(indices, t[0], shape), Targets: indices);
}

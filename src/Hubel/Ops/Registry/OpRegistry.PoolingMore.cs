using Hubel.Tensors;

namespace Hubel.Ops.Registry;

// Adaptive, global, spatial-pyramid, power-average (LP), max-with-indices, max-unpool and cross-channel max pooling.
// PyTorch side: tools/golden/torch_ops/pooling.py (cross-channel max is a reshape + amax; SPP is torch.cat of
// flattened adaptive_max_pool2d levels). Max-type inputs are distinct grid values (no ties to flip).
public static partial class OpRegistry
{
    private static OpSample Pool(string op, string name, int[] x, Dictionary<string, object> attrs, Func<Tensor, Tensor> f, bool max, bool batched = true) =>
        new($"{op}/{name}", [x], attrs, t => f(t[0]))
        {
            BatchedInputs = batched ? [0] : null,
            Values = max ? [SampleValues.Distinct] : null,
        };

    private static IEnumerable<OpInfo> PoolingMoreOps()
    {
        foreach (var (op, max, f) in new (string, bool, Func<Tensor, Size2, Tensor>)[]
        {
            ("adaptive_avg_pool2d", false, F.AdaptiveAvgPool2d), ("adaptive_max_pool2d", true, F.AdaptiveMaxPool2d),
            ("adaptive_max_pool2d_with_indices", true, (x, o) => F.AdaptiveMaxPool2dWithIndices(x, o).Values),
        })
        {
            OpSample S(string name, int[] x, Size2 o) => Pool(op, name, x, Attrs(("output_size", Pair(o))), t => f(t, o), max);
            yield return new OpInfo(op,
            [
                S("5x7_to_3x4_overlapping_windows", [2, 2, 5, 7], (3, 4)),
                S("batch1_divisible_8x6_to_4x3", [1, 3, 8, 6], (4, 3)),
                S("identity_output_equals_input", [2, 2, 4, 5], (4, 5)),
                S("upsampling_3x2_to_5x4", [1, 2, 3, 2], (5, 4)),
                S("global_1x1", [2, 3, 5, 4], 1),
                S("non_square_13x13_to_4x4", [1, 1, 13, 13], 4),
            ],
            [
                Error<ArgumentOutOfRangeException>("output size 0", () => f(T(1, 2, 4, 4), 0), "outputSize"),
                Error<ArgumentOutOfRangeException>("output width negative", () => f(T(1, 2, 4, 4), (2, -1)), "outputSize"),
                Error<ArgumentException>("input rank 3", () => f(T(2, 4, 4), 2), "input"),
                Error<ArgumentException>("empty image", () => f(T(1, 2, 0, 4), 2), "input"),
                Error<ArgumentNullException>("input null", () => f(null!, 2), "input"),
            ])
            {
                Method = op switch
                {
                    "adaptive_avg_pool2d" => (Func<Tensor, Size2, Tensor>)F.AdaptiveAvgPool2d,
                    "adaptive_max_pool2d" => (Func<Tensor, Size2, Tensor>)F.AdaptiveMaxPool2d,
                    _ => (Func<Tensor, Size2, (Tensor, Tensor)>)F.AdaptiveMaxPool2dWithIndices,
                },
            };
        }

        foreach (var (op, max, f) in new (string, bool, Func<Tensor, int, Tensor>)[]
            { ("adaptive_avg_pool1d", false, F.AdaptiveAvgPool1d), ("adaptive_max_pool1d", true, F.AdaptiveMaxPool1d) })
        {
            OpSample S(string name, int[] x, int o) => Pool(op, name, x, Attrs(("output_size", o)), t => f(t, o), max);
            yield return new OpInfo(op,
            [
                S("7_to_3_overlapping_windows", [2, 3, 7], 3),
                S("batch1_identity", [1, 2, 6], 6),
                S("upsampling_4_to_10", [2, 1, 4], 10),
                S("global_1", [2, 2, 5], 1),
            ],
            [
                Error<ArgumentOutOfRangeException>("output size 0", () => f(T(1, 2, 4), 0), "outputSize"),
                Error<ArgumentException>("input rank 4", () => f(T(1, 2, 4, 4), 2), "input"),
                Error<ArgumentException>("empty sequence", () => f(T(1, 2, 0), 2), "input"),
                Error<ArgumentNullException>("input null", () => f(null!, 2), "input"),
            ])
            {
                Method = f,
            };
        }

        foreach (var (op, max, f) in new (string, bool, Func<Tensor, Tensor>)[]
            { ("global_avg_pool2d", false, F.GlobalAvgPool2d), ("global_max_pool2d", true, F.GlobalMaxPool2d) })
        {
            yield return new OpInfo(op,
            [
                Pool(op, "5x4", [2, 3, 5, 4], NoAttrs, f, max),
                Pool(op, "batch1_1x1_input", [1, 2, 1, 1], NoAttrs, f, max),
                Pool(op, "non_square_7x3", [2, 2, 7, 3], NoAttrs, f, max),
            ],
            [
                Error<ArgumentException>("input rank 3", () => f(T(2, 4, 4)), "input"),
                Error<ArgumentException>("empty image", () => f(T(1, 2, 3, 0)), "input"),
                Error<ArgumentNullException>("input null", () => f(null!), "input"),
            ])
            {
                Method = f,
            };
        }

        OpSample Spp(string name, int[] x, int[] levels) =>
            Pool("spatial_pyramid_pool", name, x, Attrs(("levels", levels)), t => F.SpatialPyramidPool(t, levels), max: true);
        yield return new OpInfo("spatial_pyramid_pool",
        [
            Spp("levels_1_2_4_on_7x9", [2, 2, 7, 9], [1, 2, 4]),
            Spp("batch1_levels_1_2_4_on_notes_13x13", [1, 3, 13, 13], [1, 2, 4]),
            Spp("levels_1_2_4_on_4x4", [1, 2, 4, 4], [1, 2, 4]),
            Spp("level_3_on_2x2_input", [2, 1, 2, 2], [3]),
            Spp("levels_4_1_unsorted", [1, 2, 6, 5], [4, 1]),
        ],
        [
            Error<ArgumentNullException>("levels null", () => F.SpatialPyramidPool(T(1, 2, 4, 4), null!), "levels"),
            Error<ArgumentException>("no levels", () => F.SpatialPyramidPool(T(1, 2, 4, 4), []), "levels"),
            Error<ArgumentOutOfRangeException>("level 0", () => F.SpatialPyramidPool(T(1, 2, 4, 4), [1, 0]), "levels"),
            Error<ArgumentException>("input rank 3", () => F.SpatialPyramidPool(T(2, 4, 4), [1, 2]), "input"),
            Error<ArgumentNullException>("input null", () => F.SpatialPyramidPool(null!, [1]), "input"),
        ])
        {
            Method = (Func<Tensor, int[], Tensor>)F.SpatialPyramidPool,
        };

        foreach (var op in PoolingIndexOps()) yield return op;
    }
}

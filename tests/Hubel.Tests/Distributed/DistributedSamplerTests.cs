using Hubel.Distributed;

namespace Hubel.Tests.Distributed;

public class DistributedSamplerTests
{
    private static List<int[]>[] AllRanks(int count, int batch, int world, int epoch, ulong seed = 7) =>
        Enumerable.Range(0, world).Select(r => new DistributedSampler(count, batch, world, r, seed).LocalBatches(epoch).ToList()).ToArray();

    [Theory]
    [InlineData(100, 12, 3)]
    [InlineData(64, 8, 2)]
    [InlineData(1000, 64, 4)]
    public void Ranks_get_disjoint_equal_shards_that_cover_every_complete_global_batch(int count, int batch, int world)
    {
        var ranks = AllRanks(count, batch, world, epoch: 0);
        int steps = count / batch;
        Assert.All(ranks, r => Assert.Equal(steps, r.Count));                        // same number of steps everywhere
        Assert.All(ranks, r => Assert.All(r, b => Assert.Equal(batch / world, b.Length)));
        var all = ranks.SelectMany(r => r.SelectMany(b => b)).ToList();
        Assert.Equal(steps * batch, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());                              // disjoint
        Assert.All(all, i => Assert.InRange(i, 0, count - 1));
        if (count % batch == 0) Assert.Equal(Enumerable.Range(0, count), all.Order());  // covering
    }

    [Fact]
    public void Each_step_of_N_ranks_holds_exactly_the_images_of_one_process_with_the_global_batch()
    {
        var one = AllRanks(96, 16, 1, epoch: 3)[0];
        var four = AllRanks(96, 16, 4, epoch: 3);
        for (int step = 0; step < one.Count; step++)
            Assert.Equal(one[step], four.SelectMany(r => r[step]).ToArray());         // rank order = position in the global batch
    }

    [Fact]
    public void The_order_is_seeded_and_reshuffled_every_epoch()
    {
        var s = new DistributedSampler(50, 10, 2, 1, seed: 11);
        Assert.Equal(s.EpochOrder(2), new DistributedSampler(50, 10, 2, 1, seed: 11).EpochOrder(2));
        Assert.NotEqual(s.EpochOrder(0), s.EpochOrder(1));
        Assert.NotEqual(s.EpochOrder(0), new DistributedSampler(50, 10, 2, 1, seed: 12).EpochOrder(0));
        Assert.Equal(Enumerable.Range(0, 50), s.EpochOrder(5).Order());
        Assert.Equal(Enumerable.Range(0, 50), new DistributedSampler(50, 10, 2, 0, 11, shuffle: false).EpochOrder(4));
    }

    [Fact]
    public void Bad_arguments_name_the_parameter_and_the_range()
    {
        Assert.Equal("globalBatchSize", Assert.Throws<ArgumentException>(() => new DistributedSampler(100, 10, 3, 0, 0)).ParamName);
        Assert.Contains("[0, 2)", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(100, 10, 2, 2, 0)).Message);
        Assert.Equal("worldSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(100, 10, 0, 0, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(5, 10, 2, 0, 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(50, 10, 2, 0, 0).EpochOrder(-1));
    }
}

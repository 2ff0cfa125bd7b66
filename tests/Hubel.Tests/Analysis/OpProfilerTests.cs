using Hubel.Analysis;
using Hubel.Models;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Tests.Analysis;

public class OpProfilerTests
{
    [Fact]
    public void A_training_step_is_charged_to_forward_ops_grad_fns_and_the_optimiser()
    {
        bool was = OpProfiler.Enabled;
        OpProfiler.Enabled = true;
        try
        {
            var rng = new Rng(3);
            var model = new ResNetCifar(8, rng: rng);
            var optimizer = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-4);
            var x = Tensor.Normal([2, 3, 8, 8], 0, 1, rng);
            OpProfiler.Reset();
            var loss = F.CrossEntropy(model.Forward(x), [1, 7]);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            var entries = OpProfiler.Snapshot();
            // ResNet-8: one stem conv and two per block, three blocks (at least: tests running beside this one on other
            // threads add their ops while the profiler is on).
            Assert.True(entries.Single(e => e.Phase == OpProfiler.ForwardPhase && e.Name == "conv2d").Calls >= 7);
            Assert.True(entries.Single(e => e.Phase == OpProfiler.BackwardPhase && e.Name == "conv2d").Calls >= 7);
            Assert.Contains(entries, e => e.Phase == OpProfiler.ForwardPhase && e.Name.StartsWith("batch_norm", StringComparison.Ordinal));
            Assert.Contains(entries, e => e.Phase == OpProfiler.OptimizerPhase && e.Name == "sgd step");
            Assert.Contains(entries, e => e.Phase == OpProfiler.OptimizerPhase && e.Name == "zero_grad");
            Assert.All(entries, e => Assert.True(e.Milliseconds >= 0 && e.Calls > 0));
            string table = OpProfiler.Format(1, wallMsPerStep: 1000);
            Assert.Contains("conv2d", table);
            Assert.Contains("profiled", table);
            Assert.Contains("unprofiled", table);
        }
        finally
        {
            OpProfiler.Enabled = was;
        }
    }

    [Fact]
    public void Off_it_records_nothing()
    {
        bool was = OpProfiler.Enabled;
        OpProfiler.Enabled = true;
        OpProfiler.Reset();
        OpProfiler.Enabled = false;
        try
        {
            Assert.Equal(0, OpProfiler.Start());
            OpProfiler.ForwardOp("relu");
            OpProfiler.Stop(OpProfiler.OptimizerPhase, "sgd step", OpProfiler.Start());
            Assert.Empty(OpProfiler.Snapshot());
        }
        finally
        {
            OpProfiler.Enabled = was;
        }
    }
}

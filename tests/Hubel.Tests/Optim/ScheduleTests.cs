using System.Text.Json;
using Hubel.Optim;
using Hubel.Optim.Schedules;
using Hubel.Tensors;

namespace Hubel.Tests.Optim;

/// <summary>Learning-rate schedules against torch.optim.lr_scheduler (tools/golden/gen_optim.py, base lr 0.1).</summary>
public class ScheduleTests
{
    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        int i = 0;
        foreach (var c in OptimizerGoldenTests.Golden().GetProperty("schedules").EnumerateArray()) data.Add(i++, c.GetProperty("kind").GetString()!);
        return data;
    }

    private static Sgd NewSgd() => new([Tensor.Zeros([1]).RequireGrad()], 0.1);

    private static LrSchedule Create(JsonElement c, Optimizer opt)
    {
        double D(string k) => c.GetProperty(k).GetDouble();
        int I(string k) => c.GetProperty(k).GetInt32();
        return c.GetProperty("kind").GetString() switch
        {
            "step" => new StepLR(opt, I("step_size"), D("gamma")),
            "multistep" => new MultiStepLR(opt, c.GetProperty("milestones").EnumerateArray().Select(m => m.GetInt32()), D("gamma")),
            "cosine" => new CosineAnnealingLR(opt, I("t_max"), D("eta_min")),
            "onecycle" => new OneCycleLR(opt, D("max_lr"), I("total_steps"), D("pct_start"), c.GetProperty("anneal").GetString() == "cos",
                D("div_factor"), D("final_div_factor")),
            "warmup_step" => new LinearWarmup(new StepLR(opt, I("step_size"), D("gamma")), I("warmup")),
            "warmup_cosine" => new LinearWarmup(new CosineAnnealingLR(opt, I("t_max"), D("eta_min")), I("warmup")),
            var k => throw new ArgumentException(k),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_step_by_step(int index, string kind)
    {
        var c = OptimizerGoldenTests.Golden().GetProperty("schedules")[index];
        var opt = NewSgd();
        var schedule = Create(c, opt);
        var expected = c.GetProperty("lrs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int step = 0; step < expected.Length; step++)
        {
            if (step > 0) schedule.Step();
            Assert.Equal(step, schedule.StepCount);
            Assert.True(Math.Abs(expected[step] - schedule.LearningRateAt(step)) < 1e-12, $"{kind} step {step}: {schedule.LearningRateAt(step)} vs PyTorch {expected[step]}");
            Assert.Equal(Math.Max(expected[step], 0), opt.LearningRate, 1e-12);
        }
    }

    [Fact]
    public void Restoring_a_step_count_sets_the_same_rate_as_stepping()
    {
        var a = new CosineAnnealingLR(NewSgd(), 10);
        for (int i = 0; i < 4; i++) a.Step();
        var b = new CosineAnnealingLR(NewSgd(), 10);
        b.Restore(4);
        Assert.Equal(a.Optimizer.LearningRate, b.Optimizer.LearningRate);
        Assert.Equal(4, b.StepCount);
    }

    [Fact]
    public void Units_and_bad_arguments()
    {
        Assert.Equal(ScheduleUnit.Batch, new OneCycleLR(NewSgd(), 0.1, 100).Unit);
        Assert.Equal(ScheduleUnit.Batch, new LinearWarmup(new StepLR(NewSgd(), 5, unit: ScheduleUnit.Batch), 3).Unit);
        string Name(Action a) => Assert.Throws<ArgumentOutOfRangeException>(a).ParamName!;
        Assert.Equal("stepSize", Name(() => new StepLR(NewSgd(), 0)));
        Assert.Equal("gamma", Name(() => new StepLR(NewSgd(), 2, gamma: 0)));
        Assert.Equal("milestones", Name(() => new MultiStepLR(NewSgd(), [3, 2])));
        Assert.Equal("milestones", Name(() => new MultiStepLR(NewSgd(), [])));
        Assert.Equal("tMax", Name(() => new CosineAnnealingLR(NewSgd(), 0)));
        Assert.Equal("pctStart", Name(() => new OneCycleLR(NewSgd(), 0.1, 100, pctStart: 1.0)));
        Assert.Equal("totalSteps", Name(() => new OneCycleLR(NewSgd(), 0.1, 1)));
        Assert.Equal("maxLr", Name(() => new OneCycleLR(NewSgd(), -0.1, 100)));
        Assert.Equal("warmupSteps", Name(() => new LinearWarmup(new StepLR(NewSgd(), 2), 0)));
        var oneCycle = new OneCycleLR(NewSgd(), 0.1, 10);
        Assert.Throws<InvalidOperationException>(() => oneCycle.Restore(11));
    }
}

using Hubel.Data;
using Hubel.Models;
using Hubel.Optim;
using Hubel.Optim.Schedules;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Training;

/// <summary>Stopping after an epoch, saving a checkpoint, rebuilding everything and restoring gives bit for bit the
/// weights of an uninterrupted run, for every optimiser and for per-epoch and per-batch schedules.</summary>
public class TrainerResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-trainer-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ImageSet Train = TinyData.Train(128);
    private static readonly BatchLoader Test = new(TinyData.Test(64), 64, shuffle: false);

    private sealed record Run(Trainer Trainer, BatchLoader Loader, Rng DataOrder);

    private static Run Build(string optimizer, string schedule)
    {
        var net = ModelZoo.Create("lenet5", 10, 1, new Rng(3));
        var ps = net.Parameters();
        Optimizer opt = optimizer switch
        {
            "sgd" => new Sgd(ps, 0.05, 0.9, 1e-4, nesterov: true),
            "adam" => new Adam(ps, 0.002, weightDecay: 1e-4, amsgrad: true),
            "adamw" => new AdamW(ps, 0.002),
            "rmsprop" => new RmsProp(ps, 0.001, momentum: 0.5, centered: true),
            "adagrad" => new Adagrad(ps, 0.02, lrDecay: 0.01),
            _ => throw new ArgumentException(optimizer),
        };
        var dataOrder = new Rng(4);
        var loader = new BatchLoader(Train, 32, shuffle: true, rng: dataOrder);
        LrSchedule? s = schedule switch
        {
            "none" => null,
            "cosine" => new LinearWarmup(new CosineAnnealingLR(opt, 2), 1),
            "onecycle" => new OneCycleLR(opt, 0.01, 3 * loader.BatchesPerEpoch),
            _ => throw new ArgumentException(schedule),
        };
        return new Run(new Trainer(net, opt) { Schedule = s, ClipGradNorm = 2.0, LabelSmoothing = 0.1 }, loader, dataOrder);
    }

    [Theory]
    [InlineData("sgd", "cosine")]
    [InlineData("adam", "none")]
    [InlineData("adamw", "onecycle")]
    [InlineData("rmsprop", "cosine")]
    [InlineData("adagrad", "onecycle")]
    public void A_resumed_run_equals_an_uninterrupted_one(string optimizer, string schedule)
    {
        var straight = Build(optimizer, schedule);
        var history = new List<EpochReport>();
        for (int e = 1; e <= 3; e++) history.Add(straight.Trainer.RunEpoch(e, straight.Loader, Test));

        var first = Build(optimizer, schedule);
        var firstReport = first.Trainer.RunEpoch(1, first.Loader, Test);
        Assert.Equal(history[0].TrainLoss, firstReport.TrainLoss);
        string path = Path.Combine(_dir, "c.safetensors");
        Checkpoint.Save(path, first.Trainer.Model, first.Trainer.Optimizer, first.DataOrder, 1, new Dictionary<string, string> { ["k"] = "v" }, [firstReport], first.Trainer.Schedule);

        var resumed = Build(optimizer, schedule);
        Checkpoint.Restore(path, resumed.Trainer.Model, resumed.Trainer.Optimizer, resumed.DataOrder, resumed.Trainer.Schedule);
        Assert.Equal(first.Trainer.Optimizer.LearningRate, resumed.Trainer.Optimizer.LearningRate);
        var state = Checkpoint.ReadState(path);
        Assert.Equal(firstReport, state.History.Single());
        for (int e = 2; e <= 3; e++) Assert.Equal(history[e - 1].TrainLoss, resumed.Trainer.RunEpoch(e, resumed.Loader, Test).TrainLoss);
        var expected = straight.Trainer.Model.NamedState().ToList();
        var actual = resumed.Trainer.Model.NamedState().ToList();
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Value.ToFloatArray().SequenceEqual(actual[i].Value.ToFloatArray()), $"{optimizer}/{schedule}: {expected[i].Name} differs");
    }

    [Fact]
    public void Trainer_runs_the_hook_between_backward_and_step_and_reports_validation_and_rate()
    {
        var run = Build("sgd", "cosine");
        int calls = 0;
        run.Trainer.AfterBackward = t =>
        {
            calls++;
            Assert.All(t.Optimizer.Parameters, p => Assert.NotNull(p.Grad));
        };
        var val = new BatchLoader(TinyData.Test(32), 32, shuffle: false);
        double lr0 = run.Trainer.Optimizer.LearningRate;
        var report = run.Trainer.RunEpoch(1, run.Loader, Test, validation: val);
        Assert.Equal(run.Loader.BatchesPerEpoch, calls);
        Assert.True(report.HasValidation);
        Assert.InRange(report.ValAccuracy, 0, 1);
        Assert.Equal(lr0, report.LearningRate);
        Assert.NotEqual(lr0, run.Trainer.Optimizer.LearningRate);        // the warm-up stepped once after the epoch
        Assert.False(run.Trainer.RunEpoch(2, run.Loader, Test).HasValidation);
    }

    [Fact]
    public void Trainer_rejects_bad_settings()
    {
        var run = Build("sgd", "none");
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(run.Trainer.Model, run.Trainer.Optimizer) { LabelSmoothing = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(run.Trainer.Model, run.Trainer.Optimizer) { ClipGradNorm = -1 });
        var other = new Sgd([Tensor.Zeros([1]).RequireGrad()], 0.1);
        Assert.Throws<ArgumentException>(() => new Trainer(run.Trainer.Model, run.Trainer.Optimizer) { Schedule = new StepLR(other, 1) });
    }
}

using System;
using System.Linq;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class LearningRateSchedulerTests
{
    [Fact]
    public void OneCycle_rises_from_peak_over_div_to_the_peak_then_anneals_to_the_final_floor()
    {
        var options = new Seq2SeqOptions { Schedule = { Kind = LearningRateSchedule.OneCycle, OneCyclePctStart = 0.25, OneCycleDivFactor = 10, OneCycleFinalDivFactor = 100 } };
        var scheduler = new LearningRateScheduler(options, peakLearningRate: 0.01, totalSteps: 401);
        double[] rates = Enumerable.Range(0, 401).Select(s => scheduler.RateAt(s)).ToArray();

        Assert.Equal(0.001, rates[0], 12);
        int peakAt = Array.IndexOf(rates, rates.Max());
        Assert.InRange(peakAt, 98, 101);
        Assert.Equal(0.01, rates.Max(), 0.01 * 1e-4); // the peak step is fractional, as in PyTorch
        Assert.Equal(0.001 / 100, rates[^1], 12);
        Assert.True(rates.Take(peakAt).Zip(rates.Skip(1).Take(peakAt - 1)).All(p => p.First <= p.Second), "rising phase not monotone");
        Assert.True(rates.Skip(peakAt).Zip(rates.Skip(peakAt + 1)).All(p => p.First >= p.Second), "annealing phase not monotone");
    }

    [Fact]
    public void Cosine_with_warmup_warms_linearly_then_decays_towards_zero()
    {
        var options = new Seq2SeqOptions { Schedule = { Kind = LearningRateSchedule.CosineWithWarmup, WarmupFraction = 0.1 } };
        var scheduler = new LearningRateScheduler(options, 1.0, totalSteps: 100);

        Assert.Equal(0.1, scheduler.RateAt(0), 12);
        Assert.Equal(1.0, scheduler.RateAt(9), 12);
        Assert.Equal(1.0, scheduler.RateAt(10), 12);
        Assert.Equal(0.5, scheduler.RateAt(55), 12);
        Assert.True(scheduler.RateAt(99) < 0.001);
    }

    [Fact]
    public void Constant_stays_and_ReduceOnPlateau_cuts_after_patience_epochs_without_improvement()
    {
        var constant = new LearningRateScheduler(new Seq2SeqOptions { Schedule = { Kind = LearningRateSchedule.Constant } }, 0.3, 10);
        Assert.All(Enumerable.Range(0, 10), s => Assert.Equal(0.3, constant.RateAt(s)));

        var plateau = new LearningRateScheduler(new Seq2SeqOptions { Schedule = { Kind = LearningRateSchedule.ReduceOnPlateau, PlateauPatience = 2, PlateauFactor = 0.5 } }, 0.4, 10);
        plateau.OnEpochEnd(1.0);
        plateau.OnEpochEnd(0.9);
        plateau.OnEpochEnd(0.95);
        Assert.Equal(0.4, plateau.RateAt(0));
        plateau.OnEpochEnd(0.91);
        Assert.Equal(0.2, plateau.RateAt(0));
        plateau.OnEpochEnd(0.99);
        plateau.OnEpochEnd(0.99);
        Assert.Equal(0.1, plateau.RateAt(0));
    }
}

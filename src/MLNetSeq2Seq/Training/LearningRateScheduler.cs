using System;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// The learning rate of every optimizer step, as a function of the step index (and, for reduce-on-plateau, of the
/// epochs so far). Stepped once per optimizer step, never per micro-batch.
/// </summary>
internal sealed class LearningRateScheduler
{
    private readonly LearningRateSchedule _schedule;
    private readonly double _peak;
    private readonly long _totalSteps;
    private readonly Seq2SeqOptions _options;
    private double _plateauRate;
    private double _plateauBest = double.PositiveInfinity;
    private int _plateauEpochsWithoutImprovement;

    public LearningRateScheduler(Seq2SeqOptions options, double peakLearningRate, long totalSteps)
    {
        if (totalSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(totalSteps));
        _options = options;
        _schedule = options.Schedule.Kind;
        _peak = peakLearningRate;
        _totalSteps = totalSteps;
        _plateauRate = peakLearningRate;
    }

    /// <summary>Reduce-on-plateau's memory, for checkpoints.</summary>
    public (double Rate, double Best, int EpochsWithoutImprovement) PlateauState
    {
        get => (_plateauRate, _plateauBest, _plateauEpochsWithoutImprovement);
        set => (_plateauRate, _plateauBest, _plateauEpochsWithoutImprovement) = value;
    }

    /// <summary>The rate for 0-based optimizer step <paramref name="step"/> of the whole run.</summary>
    public double RateAt(long step)
    {
        long last = _totalSteps - 1;
        step = Math.Clamp(step, 0, last);
        switch (_schedule)
        {
            case LearningRateSchedule.Constant:
                return _peak;
            case LearningRateSchedule.ReduceOnPlateau:
                return _plateauRate;
            case LearningRateSchedule.CosineWithWarmup:
            {
                long warmup = (long)Math.Floor(_options.Schedule.WarmupFraction * _totalSteps);
                if (step < warmup)
                    return _peak * (step + 1) / warmup;
                double progress = _totalSteps == warmup ? 1 : (double)(step - warmup) / (_totalSteps - warmup);
                return _peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
            }
            case LearningRateSchedule.OneCycle:
            {
                double initial = _peak / _options.Schedule.OneCycleDivFactor;
                double minimum = initial / _options.Schedule.OneCycleFinalDivFactor;
                double peakStep = Math.Max(1, _options.Schedule.OneCyclePctStart * _totalSteps - 1);
                if (last <= 1)
                    return _peak;
                if (step <= peakStep)
                    return CosineAnneal(initial, _peak, step / peakStep);
                return CosineAnneal(_peak, minimum, (step - peakStep) / Math.Max(1, last - peakStep));
            }
            default:
                throw new InvalidOperationException($"Unknown schedule {_schedule}.");
        }
    }

    /// <summary>Reports the epoch's monitored loss (validation, else training); only reduce-on-plateau reacts.</summary>
    public void OnEpochEnd(double monitoredLoss)
    {
        if (_schedule != LearningRateSchedule.ReduceOnPlateau)
            return;
        if (monitoredLoss < _plateauBest)
        {
            _plateauBest = monitoredLoss;
            _plateauEpochsWithoutImprovement = 0;
            return;
        }
        if (++_plateauEpochsWithoutImprovement >= _options.Schedule.PlateauPatience)
        {
            _plateauRate *= _options.Schedule.PlateauFactor;
            _plateauEpochsWithoutImprovement = 0;
        }
    }

    private static double CosineAnneal(double start, double end, double fraction) =>
        end + (start - end) / 2 * (1 + Math.Cos(Math.PI * Math.Clamp(fraction, 0, 1)));
}

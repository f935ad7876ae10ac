using System;
using System.Diagnostics;
using System.Globalization;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// What the log says while Fit trains: one line per epoch (training loss and validation metric by name, learning rate,
/// time, what is left), and, inside an epoch that runs longer than the report interval, a line every interval with the
/// optimizer steps done of the epoch's total, samples per second and the time left in the epoch. Short epochs get no step
/// lines; a step costs one clock read.
/// </summary>
internal sealed class TrainingProgress
{
    private readonly MLNetHost _host;
    private readonly int _maxEpochs;
    private readonly int _stepsPerEpoch;
    private readonly int _patience;
    private readonly string _trainingLossName;
    private readonly string? _validationMetricName;
    private readonly long _intervalTicks;
    private long _epochStart, _nextReport;
    private int _epoch, _epochsTimed;
    private double _secondsTimed;

    public TrainingProgress(MLNetHost host, int maxEpochs, int stepsPerEpoch, int patience, string trainingLossName, string? validationMetricName, TimeSpan interval)
    {
        _host = host;
        _maxEpochs = maxEpochs;
        _stepsPerEpoch = stepsPerEpoch;
        _patience = patience;
        _trainingLossName = trainingLossName;
        _validationMetricName = validationMetricName;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Starts the clock of <paramref name="epoch"/>'s step lines.</summary>
    public void StartEpoch(int epoch)
    {
        _epoch = epoch;
        _epochStart = Stopwatch.GetTimestamp();
        _nextReport = _epochStart + _intervalTicks;
    }

    /// <summary>After an optimizer step: <paramref name="stepsDone"/> of the epoch's steps and the <paramref name="samplesDone"/>
    /// training rows they fed. Logs a line when the interval has passed since the last one (or the epoch's start).</summary>
    public void OnStep(int stepsDone, long samplesDone)
    {
        long now = Stopwatch.GetTimestamp();
        if (now < _nextReport || stepsDone >= _stepsPerEpoch)
            return;
        _nextReport = now + _intervalTicks;
        double seconds = (now - _epochStart) / (double)Stopwatch.Frequency;
        double secondsLeft = seconds / stepsDone * (_stepsPerEpoch - stepsDone);
        _host.Info(FormattableString.Invariant($"Seq2Seq: epoch {_epoch}: step {stepsDone} of {_stepsPerEpoch} ({100.0 * stepsDone / _stepsPerEpoch:F0} %), ")
            + FormattableString.Invariant($"{samplesDone / seconds:N0} samples/s, {Duration(secondsLeft)} left in this epoch (before validation)."));
    }

    /// <summary>The epoch's line: its numbers by name, and the time left — until early stopping would end the run if the
    /// validation metric stops improving now, and at most (every epoch up to MaxEpochs) — from the mean epoch time so far.</summary>
    public string EpochLine(EpochSummary summary, int bestEpoch)
    {
        _epochsTimed++;
        _secondsTimed += summary.Seconds;
        double perEpoch = _secondsTimed / _epochsTimed;
        int epochsLeft = _maxEpochs - summary.Epoch;
        string left;
        if (epochsLeft <= 0)
            left = "last epoch";
        else if (_validationMetricName is null)
            left = $"ETA {Duration(perEpoch * epochsLeft)} ({epochsLeft} epochs left)";
        else
        {
            int stopAfter = Math.Min(_maxEpochs, bestEpoch + _patience);
            left = stopAfter < _maxEpochs
                ? $"ETA {Duration(perEpoch * (stopAfter - summary.Epoch))} if validation stops improving (early stop after epoch {stopAfter}), at most {Duration(perEpoch * epochsLeft)} (epoch {_maxEpochs})"
                : $"ETA {Duration(perEpoch * epochsLeft)} (epoch {_maxEpochs})";
        }
        string validation = summary.ValidationLoss is double v ? FormattableString.Invariant($", validation {_validationMetricName} {v:G5}") : "";
        return FormattableString.Invariant($"Seq2Seq: epoch {summary.Epoch} of {_maxEpochs}: train {_trainingLossName} {summary.TrainLoss:G5}{validation}, ")
            + FormattableString.Invariant($"lr {summary.LearningRate:G3}, {summary.Seconds:F1} s{(summary.IsBest ? " (best)" : "")}; {left}.");
    }

    /// <summary>"42 s", "3 min 05 s", "1 h 12 min".</summary>
    internal static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
            return "?";
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        if (span.TotalHours >= 1)
            return string.Format(CultureInfo.InvariantCulture, "{0} h {1:00} min", (int)span.TotalHours, span.Minutes);
        if (span.TotalMinutes >= 1)
            return string.Format(CultureInfo.InvariantCulture, "{0} min {1:00} s", (int)span.TotalMinutes, span.Seconds);
        return string.Format(CultureInfo.InvariantCulture, "{0} s", span.Seconds);
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>What MLContext.Log shows while Fit trains: one line per epoch with its numbers by name and the time left,
/// and step lines inside epochs longer than the report interval, at most one per interval.</summary>
public sealed class TrainingProgressTests
{
    private static readonly Regex s_stepLine = new(@"^Seq2Seq: epoch (\d+): step (\d+) of (\d+) \((\d+) %\), ([\d,]+) samples/s, (.+) left in this epoch \(before validation\)\.$");
    private static readonly Regex s_epochLine = new(@"^Seq2Seq: epoch (\d+) of (\d+): train (.+) (\S+), validation (.+) (\S+), lr (\S+), (\S+) s( \(best\))?; (.+)\.$");

    private sealed record Line(double Seconds, string Text);

    /// <summary>Trains on synthetic windows with validation and returns the model's history and the Seq2Seq log lines, each
    /// with the time it arrived.</summary>
    private static (TrainingHistory History, List<Line> Lines, Seq2SeqOptions Options, int TrainRows) Train(int rows, int batchSize, int maxEpochs, TimeSpan? interval)
    {
        var ml = new MLContext(seed: 1);
        var clock = Stopwatch.StartNew();
        var lines = new List<Line>();
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("Seq2Seq: ", StringComparison.Ordinal))
                lock (lines)
                    lines.Add(new Line(clock.Elapsed.TotalSeconds, e.RawMessage));
        };
        var data = SyntheticSequences.Generate(rows, seed: 3);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs);
        options.BatchSize = batchSize;
        options.ValidationSet = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 4));
        options.EarlyStopping.Patience = maxEpochs;
        using Seq2SeqTransformer model = TrainingSwitches.With(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(data)), stepProgressInterval: interval);
        lock (lines)
            return (model.TrainingHistory, lines.ToList(), options, rows);
    }

    [Fact]
    public void Long_epochs_report_their_steps_at_most_once_per_interval_and_every_epoch_line_names_its_numbers()
    {
        var interval = TimeSpan.FromMilliseconds(40);
        var (history, lines, options, trainRows) = Train(rows: 3000, batchSize: 8, maxEpochs: 3, interval);

        var steps = lines.Select(l => (l.Seconds, Match: s_stepLine.Match(l.Text))).Where(m => m.Match.Success).ToList();
        Assert.NotEmpty(steps);
        int stepsPerEpoch = (trainRows + options.BatchSize - 1) / options.BatchSize;
        foreach (EpochSummary epoch in history.Epochs)
        {
            var ofEpoch = steps.Where(s => int.Parse(s.Match.Groups[1].Value, CultureInfo.InvariantCulture) == epoch.Epoch).ToList();
            // Throttled: the first line an interval into the epoch, each next one an interval later, all within the epoch.
            Assert.True(ofEpoch.Count <= (int)(epoch.Seconds / interval.TotalSeconds),
                $"epoch {epoch.Epoch}: {ofEpoch.Count} step lines in {epoch.Seconds:F2} s at one per {interval.TotalMilliseconds} ms at most");
            // (No bound by the step count: on a machine loaded enough that a step outlasts the interval, one line per step is
            // what the throttle allows; one CI-like run at load 12 saw 190 lines for 375 steps, within the bound above.)
            // The k-th step line of an epoch comes at least k intervals after the epoch began, which is after the previous
            // epoch's line arrived (or after the clock started, for the first): a bound that load can only make looser.
            double epochBegan = epoch.Epoch == 1 ? 0 : lines.First(l => s_epochLine.Match(l.Text) is { Success: true } m
                && m.Groups[1].Value == (epoch.Epoch - 1).ToString(CultureInfo.InvariantCulture)).Seconds;
            for (int k = 1; k <= ofEpoch.Count; k++)
                Assert.True(ofEpoch[k - 1].Seconds - epochBegan >= k * interval.TotalSeconds,
                    $"epoch {epoch.Epoch}: step line {k} arrived {(ofEpoch[k - 1].Seconds - epochBegan) * 1000:F1} ms into the epoch, before {k} × {interval.TotalMilliseconds} ms");
            int previous = 0;
            foreach (var (_, match) in ofEpoch)
            {
                int done = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                Assert.Equal(epoch.OptimizerSteps, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
                Assert.InRange(done, previous + 1, epoch.OptimizerSteps - 1);
                Assert.Equal((100.0 * done / epoch.OptimizerSteps).ToString("F0", CultureInfo.InvariantCulture), match.Groups[4].Value);
                Assert.True(double.Parse(match.Groups[5].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0);
                previous = done;
            }
        }
        Assert.Equal(stepsPerEpoch, history.Epochs[0].OptimizerSteps);

        var epochLines = lines.Select(l => s_epochLine.Match(l.Text)).Where(m => m.Success).ToList();
        Assert.Equal(history.Epochs.Count, epochLines.Count);
        for (int e = 0; e < epochLines.Count; e++)
        {
            Match line = epochLines[e];
            EpochSummary epoch = history.Epochs[e];
            string I(FormattableString s) => FormattableString.Invariant(s);
            Assert.Equal(I($"{epoch.Epoch}"), line.Groups[1].Value);
            Assert.Equal(I($"{options.MaxEpochs}"), line.Groups[2].Value);
            Assert.Equal(history.TrainingLossName, line.Groups[3].Value);
            Assert.Equal(I($"{epoch.TrainLoss:G5}"), line.Groups[4].Value);
            Assert.Equal(history.ValidationMetricName, line.Groups[5].Value);
            Assert.Equal(I($"{epoch.ValidationLoss:G5}"), line.Groups[6].Value);
            Assert.Equal(I($"{epoch.LearningRate:G3}"), line.Groups[7].Value);
            Assert.Equal(I($"{epoch.Seconds:F1}"), line.Groups[8].Value);
            Assert.Equal(epoch.IsBest, line.Groups[9].Success);
            // Time left from the mean epoch time so far, up to MaxEpochs (patience = MaxEpochs: early stopping cannot end it sooner).
            double mean = history.Epochs.Take(e + 1).Average(x => x.Seconds);
            string left = line.Groups[10].Value;
            if (epoch.Epoch < options.MaxEpochs)
                Assert.Equal(I($"ETA {TrainingProgress.Duration(mean * (options.MaxEpochs - epoch.Epoch))} (epoch {options.MaxEpochs})"), left);
            else
                Assert.Equal("last epoch", left);
        }
    }

    [Fact]
    public void Epochs_shorter_than_the_default_interval_print_no_step_lines()
    {
        var (history, lines, _, _) = Train(rows: 256, batchSize: 32, maxEpochs: 2, interval: null);

        Assert.Equal(2, history.Epochs.Count);
        foreach (EpochSummary epoch in history.Epochs)
        {
            int stepLines = lines.Count(l => s_stepLine.Match(l.Text) is { Success: true } m && m.Groups[1].Value == epoch.Epoch.ToString(CultureInfo.InvariantCulture));
            // At most one line per 10 s of the epoch: none for an epoch under 10 s (the usual case for 8 steps).
            Assert.True(stepLines <= (int)(epoch.Seconds / 10), $"epoch {epoch.Epoch} ({epoch.Seconds:F2} s) printed {stepLines} step lines");
        }
        Assert.Equal(history.Epochs.Count, lines.Count(l => s_epochLine.IsMatch(l.Text)));
    }

    [Fact]
    public void Durations_read_in_seconds_minutes_or_hours()
    {
        Assert.Equal("42 s", TrainingProgress.Duration(41.6));
        Assert.Equal("3 min 05 s", TrainingProgress.Duration(185));
        Assert.Equal("1 h 12 min", TrainingProgress.Duration(4320));
        Assert.Equal("?", TrainingProgress.Duration(double.NaN));
    }
}

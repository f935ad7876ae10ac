using System;
using System.Linq;
using ScottPlot;

namespace MLNetSeq2Seq.Plots;

/// <summary>The plot of a training run: <c>model.TrainingHistory.SavePlot("losses.png")</c>.</summary>
public static class TrainingHistoryPlots
{
    /// <summary>
    /// Writes the loss per epoch as PNG or SVG (by the extension of <paramref name="path"/>). Top panel: the training
    /// loss, named as Fit computed it (<see cref="TrainingHistory.TrainingLossName"/>), on the left axis; the validation
    /// metric (<see cref="TrainingHistory.ValidationMetricName"/>) on a right axis of its own when it measures something
    /// else, on the same axis when the two are the same quantity; the kept epoch (<see cref="TrainingHistory.BestEpoch"/>)
    /// as a dashed line. Bottom panel: the learning rate of each epoch's last step (log scale when it changes by more than
    /// a factor of ten). Values are in the network's units (z-scores for standardized windows).
    /// </summary>
    /// <param name="history">The run (<c>Seq2SeqTransformer.TrainingHistory</c>); at least one epoch.</param>
    /// <param name="path">A .png or .svg file; its folder is created.</param>
    /// <param name="width">Pixels, at least 100. Default 900.</param>
    /// <param name="height">Pixels, at least 100. Default 600.</param>
    /// <param name="title">The title; default "Training: loss per epoch".</param>
    public static void SavePlot(this TrainingHistory history, string path, int width = 900, int height = 600, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        PlotFile.RequireSize(width, height);
        if (history.Epochs.Count == 0)
            throw new ArgumentException("The training history holds no epoch: there is nothing to plot.", nameof(history));

        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        string trainingName = history.TrainingLossName ?? "loss";
        bool validated = history.Epochs.Any(e => e.ValidationLoss is not null);
        string validationName = history.ValidationMetricName ?? "metric";
        bool sameQuantity = validated && trainingName == validationName;

        var (multiplot, panels) = PlotFile.Panels(2);
        Plot losses = panels[0], rates = panels[1];
        var layout = new ScottPlot.MultiplotLayouts.DraggableRows();
        layout.SetHeights(new[] { height * 0.68f, height * 0.32f });
        multiplot.Layout = layout;

        var train = losses.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainLoss).ToArray());
        train.LegendText = $"training loss: {trainingName} (training mode)";
        train.Color = Colors.SteelBlue;
        losses.Axes.Left.Label.Text = sameQuantity || !validated ? trainingName : $"training {trainingName}";
        if (validated)
        {
            var validation = losses.Add.Scatter(epochs, history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray());
            validation.LegendText = $"validation {validationName} (eval mode, as at inference)";
            validation.Color = Colors.DarkOrange;
            if (!sameQuantity)
            {
                validation.Axes.YAxis = losses.Axes.Right;
                losses.Axes.Right.Label.Text = $"validation {validationName}";
            }
        }
        var kept = losses.Add.VerticalLine(history.BestEpoch);
        kept.LegendText = $"kept: epoch {history.BestEpoch}";
        kept.LinePattern = LinePattern.Dashed;
        kept.Color = Colors.Gray;
        losses.Title(title ?? "Training: loss per epoch");
        losses.XLabel("epoch");
        losses.ShowLegend(Alignment.UpperRight);

        double[] learningRates = history.Epochs.Select(e => e.LearningRate).ToArray();
        bool logScale = learningRates.All(r => r > 0) && learningRates.Max() / learningRates.Min() > 10;
        var rate = rates.Add.Scatter(epochs, logScale ? learningRates.Select(Math.Log10).ToArray() : learningRates);
        rate.LegendText = "learning rate (last step of the epoch)";
        rate.Color = Colors.SeaGreen;
        rate.ConnectStyle = ConnectStyle.StepHorizontal;
        if (logScale)
        {
            rates.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = value => Math.Pow(10, value).ToString("G2", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        var keptRate = rates.Add.VerticalLine(history.BestEpoch);
        keptRate.LinePattern = LinePattern.Dashed;
        keptRate.Color = Colors.Gray;
        rates.Axes.Left.Label.Text = logScale ? "learning rate (log)" : "learning rate";
        rates.XLabel("epoch");
        rates.ShowLegend(Alignment.UpperRight);
        multiplot.SharedAxes.ShareX(new[] { losses, rates });
        // The same margins on both panels, so that their epochs line up under the top panel's right axis.
        losses.Layout.Fixed(new PixelPadding(90, 90, 50, 40));
        rates.Layout.Fixed(new PixelPadding(90, 90, 50, 10));

        PlotFile.Save(multiplot, path, width, height);
    }
}

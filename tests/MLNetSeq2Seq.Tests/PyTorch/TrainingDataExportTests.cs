using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>ExportSeq2SeqTrainingData writes what Fit trains on: the series once, window starts, Fit's initial weights and settings.</summary>
public sealed class TrainingDataExportTests
{
    [Fact]
    public void A_window_view_is_written_as_its_series_once_with_one_start_per_window()
    {
        var ml = new MLContext(seed: 1);
        var rows = GeneratedSeries.Create(220);
        IDataView windows = DistributedTrainingTests.Windows(ml, 220);
        Seq2SeqOptions options = DistributedTrainingTests.Options(maxEpochs: 2);
        options.ValidationFraction = 0.2;
        using var folder = new TemporaryFolder();
        PyTorchTrainingData export = ml.Data.ExportSeq2SeqTrainingData(windows, options, folder.File("data.safetensors"));
        var file = TrainingDataFileReader.Read(folder.File("data.safetensors"));

        // 220 rows, L + H = 16: 205 windows; 20% (41) validate, 3 windows (⌈H / stride⌉ − 1) are the gap.
        Assert.Equal((161, 41), (export.TrainingWindows, export.ValidationWindows));
        var layout = file.MetadataJson("layout");
        Assert.Equal("series", layout["train"]!["kind"]!.GetValue<string>());
        // The targets are the inputs and the validation windows lie in the same series: one tensor, named three times.
        Assert.Equal(new[] { "train.inputs", "train.starts", "validation.starts" }, file.TensorNames.Where(n => !n.StartsWith("initial.", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("train.inputs", layout["validation"]!["inputs"]!.GetValue<string>());
        Assert.Equal("train.inputs", layout["train"]!["targets"]!.GetValue<string>());
        Assert.Equal(new long[] { 220, 3 }, file.Shape("train.inputs"));
        Assert.Equal(220L, export.SeriesRows);
        float[] series = file.Floats("train.inputs");
        Assert.Equal(GeneratedSeries.Steps(rows, 0, 220, new[] { "A", "B", "C" }), series);
        Assert.Equal(Enumerable.Range(0, 161).Select(i => (long)i), file.Longs("train.starts"));
        Assert.Equal(Enumerable.Range(164, 41).Select(i => (long)i), file.Longs("validation.starts"));

        // Fit's initial weights: a Fit of zero steps is not possible, so compare with the network Fit builds from the same seed.
        var architecture = file.MetadataJson("architecture");
        Assert.Equal(8, architecture["hidden_size"]!.GetValue<int>());
        var training = file.MetadataJson("training");
        Assert.Equal((3, 32, 1e-2), (training["seed"]!.GetValue<int>(), training["batch_size"]!.GetValue<int>(), training["peak_learning_rate"]!.GetValue<double>()));
        Assert.Equal("OneCycle", training["schedule"]!.GetValue<string>());
        Assert.Contains(file.TensorNames, n => n == "initial.encoder.rnn.weight_ih_l0");
    }

    [Fact]
    public void Options_the_PyTorch_trainer_cannot_replay_are_refused_by_name()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = DistributedTrainingTests.Options(maxEpochs: 1);
        options.Quantiles = new() { Levels = new[] { 0.1, 0.9 } };
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<NotSupportedException>(() => ml.Data.ExportSeq2SeqTrainingData(DistributedTrainingTests.Windows(ml, 60), options, folder.File("x.safetensors")));
        Assert.Contains("Quantiles", error.Message);
    }
}

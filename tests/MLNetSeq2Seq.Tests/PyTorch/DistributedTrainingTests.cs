using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// python/mlnetseq2seq_ddp.py on the file ExportSeq2SeqTrainingData writes: two processes under torchrun (gloo) take the
/// same steps as one process at the same global batch; the model rank 0 writes scores in ML.NET as in PyTorch; and the
/// PyTorch loop follows Fit's validation curve on the same export. Small network, few steps: Debian's torch is slow.
/// </summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output)
{
    // Two processes sum their gradients in another order than one process (gloo's all-reduce, then the average), and
    // AdamW's first steps divide each gradient by its own magnitude, so float32 rounding of a tiny gradient can move a
    // weight by a fraction of lr (1e-2 here). Measured: 6e-8 after 3 steps; the bound leaves room for other BLAS builds.
    private const double StepTolerance = 1e-6;
    private const double ScoreTolerance = 1e-5;
    // Same initial weights, window order and teacher forcing: only rounding differs (libtorch 2.10 against Debian's
    // torch 1.13 with its reference BLAS). Measured: 9e-9 relative over 4 epochs of 6 steps.
    private const double CurveRelativeTolerance = 1e-6;

    internal static Seq2SeqOptions Options(int maxEpochs) => new()
    {
        HiddenSize = 8,
        BatchSize = 32,
        MaxEpochs = maxEpochs,
        LearningRate = 1e-2,
        Seed = 3,
        EarlyStopping = { Patience = 10 },
    };

    internal static IDataView Windows(MLContext ml, int rows) => ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(rows)),
        new SequenceWindowOptions { InputColumnNames = new[] { "A", "B", "C" }, InputLength = 12, Horizon = 4 });

    [PyTorchFact]
    public void Two_processes_take_the_same_steps_as_one_and_the_model_scores_the_same_in_MLNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = Windows(ml, 220);
        Seq2SeqOptions options = Options(maxEpochs: 2);
        options.ValidationFraction = 0.2;
        using var folder = new TemporaryFolder();
        PyTorchTrainingData export = ml.Data.ExportSeq2SeqTrainingData(windows, options, folder.File("data.safetensors"));
        Assert.True(export.StepsPerEpoch >= 4, $"{export.StepsPerEpoch} steps per epoch");
        int steps = 3;

        string two = DdpTrainer.Run(2, folder.File("data.safetensors"), "--max-steps", $"{steps}", "--out", folder.File("ddp.safetensors"), "--scores", folder.File("ddp-scores.safetensors"));
        string one = DdpTrainer.Run(1, folder.File("data.safetensors"), "--max-steps", $"{steps}", "--out", folder.File("one.safetensors"));
        output.WriteLine(two);
        output.WriteLine(one);

        var ddp = DdpTrainer.Weights(folder.File("ddp.safetensors"));
        var single = DdpTrainer.Weights(folder.File("one.safetensors"));
        var file = TrainingDataFileReader.Read(folder.File("data.safetensors"));
        double worst = 0, moved = 0;
        string worstName = "";
        foreach (var (name, values) in single)
        {
            float[] other = ddp[name];
            for (int i = 0; i < values.Length; i++)
            {
                double difference = Math.Abs(values[i] - other[i]);
                if (difference > worst)
                    (worst, worstName) = (difference, name);
            }
        }
        foreach (var (name, values) in single)
        {
            float[] before = file.Floats("initial." + name);
            for (int i = 0; i < values.Length; i++)
                moved = Math.Max(moved, Math.Abs(values[i] - before[i]));
        }
        output.WriteLine($"2 processes vs 1 after {steps} optimizer steps at global batch {export.BatchSize}: largest weight difference {worst:G3} ({worstName}); tolerance {StepTolerance:G3}");
        Assert.True(worst <= StepTolerance, $"weight '{worstName}' differs by {worst:G3} between 2 processes and 1");
        Assert.True(moved > 1e-3, $"the steps moved no weight by more than {moved:G3} (nothing was compared)");

        // The model rank 0 wrote, imported, scores the validation windows as PyTorch did.
        float[] expected = InterchangeKit.ReadTensor(folder.File("ddp-scores.safetensors"), "scores");
        using Seq2SeqTransformer imported = ml.Model.ImportSeq2SeqFromPyTorch(folder.File("ddp.safetensors"));
        IDataView validation = ml.Data.SkipRows(windows, windows.GetRowCount()!.Value - export.ValidationWindows);
        float[] actual = InterchangeKit.Scores(ml, imported, validation);
        double largest = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"imported model vs PyTorch on {export.ValidationWindows} validation windows: largest score difference {largest:G3}; tolerance {ScoreTolerance:G3}");
        InterchangeKit.AssertClose(expected, actual, ScoreTolerance, "Transform of the model trained by 2 processes");
    }

    [PyTorchFact]
    public void The_PyTorch_loop_follows_Fits_validation_curve_on_the_same_export()
    {
        var ml = new MLContext(seed: 1);
        // A chronological split with z-scoring: a separate validation view (its own series) and statistics in the file.
        var split = ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, GeneratedSeries.Create(260)),
            new SequenceWindowOptions { InputColumnNames = new[] { "A", "B", "C" }, InputLength = 12, Horizon = 4 }, ChronologicalSplit.FromFractions(260, 0.7, 0.2));
        Seq2SeqOptions options = Options(maxEpochs: 4);
        options.ValidationSet = split.Validation;
        using var folder = new TemporaryFolder();
        PyTorchTrainingData export = ml.Data.ExportSeq2SeqTrainingData(split.Train, options, folder.File("data.safetensors"));

        using Seq2SeqTransformer fitted = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);
        output.WriteLine(DdpTrainer.Run(1, folder.File("data.safetensors"), "--history", folder.File("history.json")));
        double[] pytorch = DdpTrainer.ValidationCurve(folder.File("history.json"));
        double[] mlnet = fitted.TrainingHistory.Epochs.Select(e => e.ValidationLoss!.Value).ToArray();

        Assert.Equal(mlnet.Length, pytorch.Length);
        double worst = 0;
        for (int epoch = 0; epoch < mlnet.Length; epoch++)
        {
            double relative = Math.Abs(pytorch[epoch] - mlnet[epoch]) / mlnet[epoch];
            worst = Math.Max(worst, relative);
            output.WriteLine($"epoch {epoch + 1}: validation MSE ML.NET Fit {mlnet[epoch]:G7}, PyTorch {pytorch[epoch]:G7}, relative difference {relative:G3}");
        }
        output.WriteLine($"{export.TrainingWindows} training windows, {export.StepsPerEpoch} steps per epoch: largest relative difference {worst:G3}; tolerance {CurveRelativeTolerance:G3}");
        Assert.True(mlnet[^1] < mlnet[0], $"Fit did not learn: {string.Join(", ", mlnet)}");
        Assert.True(worst <= CurveRelativeTolerance, $"the validation curves differ by {worst:G3} (relative): ML.NET {string.Join(", ", mlnet)}; PyTorch {string.Join(", ", pytorch)}");
    }
}
